/** One line for an error a user can cause or fix; a stack trace only with TRICHDAN_LOG_LEVEL=debug. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const firstLine = error.message.split('\n')[0].slice(0, 500);
    const known = ['ConfigError', 'CorpusError', 'LexiconError', 'IndexLockedError', 'IngestError', 'VectorStoreError', 'DigestStoreError', 'BotLockedError'];
    if (known.includes(error.name)) return firstLine;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return firstLine;
    return `${firstLine} (run with TRICHDAN_LOG_LEVEL=debug for details)`;
  }
  return String(error);
}
