import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.ts';

/** The committed seed corpus. */
export const SEED_CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../corpus');
/** The project root (for spawning the CLI). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A fresh temp dir. */
export const tempDir = (prefix = 'trichdan-') => mkdtemp(path.join(tmpdir(), prefix));

/** A private copy of the seed corpus (tests may change it). */
export async function copySeedCorpus(): Promise<string> {
  const dir = await tempDir('trichdan-corpus-');
  await cp(SEED_CORPUS, dir, { recursive: true });
  return dir;
}

/**
 * Settings for a test: its own corpus and index dirs, no model (an empty models dir,
 * downloads off) unless overridden, no .env, no lexicon unless given.
 */
export function testEnv(over: Record<string, string>): Record<string, string> {
  return {
    TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
    TRICHDAN_LEXICON: path.join(tmpdir(), 'no-such-lexicon.tsv'),
    ...over,
  };
}

/** A validated config built from `testEnv(over)`. */
export function testConfig(over: Record<string, string>): Config {
  return loadConfig(testEnv(over), { dotenv: false });
}
