import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Names made by {@link tempPathFor}: a dot, the file name, the pid, 8 hex digits, `.tmp`. */
export const TEMPORARY_FILE = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/u;

/** A temporary path next to `file` (same directory, so the rename is atomic). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Lets `write` fill a temporary file next to `file`, then renames it into place, so readers see
 * either the old or the new content, never half; on failure the temporary file is removed.
 */
export async function writeAtomically(file: string, write: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = tempPathFor(path.resolve(file));
  try {
    await write(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes `data` to `file` atomically (see {@link writeAtomically}). */
export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return writeAtomically(file, (temp) => writeFile(temp, data));
}
