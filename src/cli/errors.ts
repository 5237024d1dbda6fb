import { statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';

/** The settings that name a path, for messages about a path that cannot be used. */
export interface PathSettings {
  /** TRICHDAN_INDEX_DIR (or --index). */
  indexDir?: string;
  /** TRICHDAN_DB. */
  dbPath?: string;
  /** TRICHDAN_CORPUS_DIR (or --corpus). */
  corpusDir?: string;
}

/** Filesystem error codes that a user fixes by moving a file or choosing another path. */
const PATH_CODES = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ERR_FS_EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC']);

/**
 * The one line the CLI prints for an error that stops a command (a stack trace follows only with
 * TRICHDAN_LOG_LEVEL=debug, see main.ts). A {@link UserError}'s message is shown as it is (its first
 * line); a filesystem error under one of `settings`' paths names the path, the setting and what to
 * do; anything else is its first line and how to see more.
 */
export function messageForUser(error: unknown, settings: PathSettings = {}): string {
  if (error instanceof Error) {
    const firstLine = error.message.split('\n')[0].slice(0, 500);
    if (error instanceof UserError) return firstLine;
    const problem = pathProblem(error as NodeJS.ErrnoException & { dest?: string }, settings);
    if (problem) return problem;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return firstLine;
    return `${firstLine} (run with TRICHDAN_LOG_LEVEL=debug for details)`;
  }
  return String(error);
}

/** The nearest ancestor of `p` (itself included) that exists and is not a folder. */
function fileInTheWay(p: string): string | undefined {
  for (let at = p; ; at = path.dirname(at)) {
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(at, { throwIfNoEntry: false });
    } catch {
      info = undefined; // ENOTDIR: an ancestor is the file
    }
    if (info && !info.isDirectory()) return at;
    if (info || path.dirname(at) === at) return undefined;
  }
}

/** Says which setting's path a filesystem error is about, what is wrong there, and what to do. */
function pathProblem(error: NodeJS.ErrnoException & { dest?: string }, settings: PathSettings): string | undefined {
  const code = error.code;
  if (!code || !PATH_CODES.has(code)) return undefined;
  const target = error.dest ?? error.path;
  if (!target) return undefined;
  const full = path.resolve(target);
  const within = (dir: string | undefined) => dir !== undefined && (full === path.resolve(dir) || full.startsWith(path.resolve(dir) + path.sep));
  const setting = within(settings.indexDir)
    ? { name: 'TRICHDAN_INDEX_DIR', value: settings.indexDir!, kind: 'index folder', rebuild: 'then run `trichdan index --force`' }
    : within(settings.dbPath)
      ? { name: 'TRICHDAN_DB', value: settings.dbPath!, kind: 'database', rebuild: 'then start again' }
      : within(settings.corpusDir)
        ? { name: 'TRICHDAN_CORPUS_DIR', value: settings.corpusDir!, kind: 'corpus folder', rebuild: 'then try again' }
        : undefined;
  if (!setting) return undefined;
  const head = `the ${setting.kind} ${setting.value} (${setting.name})`;
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR': {
      const file = fileInTheWay(full) ?? full;
      return `${head} cannot be used: ${file} is a file where a folder should be; move that file away or point ${setting.name} at a folder`;
    }
    case 'EISDIR':
    case 'ERR_FS_EISDIR':
      return `${head} cannot be used: ${full} is a folder where a file should be; remove that folder, ${setting.rebuild}`;
    case 'ENOSPC':
      return `${head}: the disk is full writing ${full}; free some space or point ${setting.name} at another disk`;
    default:
      return `${head} cannot be written: ${full} (${code}); check its permissions or point ${setting.name} elsewhere`;
  }
}
