/**
 * An error the user can fix: a bad setting, a corpus folder or lexicon that cannot be read, an
 * index or bot store locked by another process, a web address that cannot be added. Its message
 * says what is wrong and what to do, and is shown to the user as it is (no stack trace, no hint
 * to debug). Anything else reaching the user is a bug or an unexpected failure.
 */
export class UserError extends Error {
  override name = 'UserError';
}
