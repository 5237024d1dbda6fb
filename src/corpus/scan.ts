/**
 * A corpus folder: every `.txt` and `.md` regular file directly in it is one article (names
 * sorted by code point; other extensions, dot-files, sub-folders ignored; temporary files of an
 * ingest in progress are dot-files), its id the file name without extension. Symbolic links are
 * not followed: a link could make the bot quote any file on the machine.
 *
 * `scanCorpus` lists the folder without reading its files (names, sizes, modification times), so
 * the index can tell which files changed since it last read them and read only those;
 * `loadCorpus` reads them all. A file that cannot be an article is skipped with a reason, never
 * fatal; only a missing or unreadable folder (or, for `loadCorpus`, one without articles) throws
 * a {@link CorpusError}.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Article, SkippedFile } from './article.ts';
import { ARTICLE_EXTENSIONS, CorpusError, articleFromBytes } from './load.ts';

/** One article file as the folder lists it. */
export interface CorpusFile {
  id: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** The article files of a folder, and those that cannot be articles. */
export interface CorpusListing {
  files: CorpusFile[];
  skipped: SkippedFile[];
}

/** Files stat-ed at once while listing. */
const STAT_BATCH = 256;

/** The article id of a file name (the name without its extension). */
export function articleIdOf(name: string): string {
  return name.slice(0, name.length - extname(name).length);
}

/** Whether a file name is read as an article. */
export function isArticleFileName(name: string): boolean {
  return !name.startsWith('.') && ARTICLE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/**
 * Lists `dir` (or, with `only`, just those file names in it: a change the caller made itself);
 * throws {@link CorpusError} when the folder itself is missing or unreadable.
 */
export async function scanCorpus(dir: string, only?: readonly string[]): Promise<CorpusListing> {
  const names = only ? [...new Set(only.filter(isArticleFileName))].sort(byCodePoint) : await listArticleNames(dir);
  return statArticleFiles(dir, names);
}

/** The article file names of the folder, sorted by code point. */
async function listArticleNames(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new CorpusError(`Corpus path ${dir} is not a directory: point TRICHDAN_CORPUS_DIR or --corpus at a folder of .txt/.md articles.`);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error instanceof CorpusError) throw error;
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT') throw new CorpusError(`Corpus directory ${dir} does not exist: create it with your articles, or set TRICHDAN_CORPUS_DIR / --corpus.`);
    throw new CorpusError(`Corpus directory ${dir} cannot be read (${code ?? String(error)}).`);
  }
  return entries
    .filter((e) => isArticleFileName(e.name) && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name)
    .sort(byCodePoint);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sizes and times of `names` in `dir`: symbolic links skipped with a reason, id clashes reported. */
async function statArticleFiles(dir: string, names: readonly string[]): Promise<CorpusListing> {
  // lstat in batches: one await per file is most of a start at 30k files (2.4 s against 0.5 s).
  const infos: (Stats | null)[] = [];
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    infos.push(...(await Promise.all(names.slice(i, i + STAT_BATCH).map((name) => lstat(join(dir, name)).catch(() => null)))));
  }
  const files: CorpusFile[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Map<string, string>();
  names.forEach((name, i) => {
    const path = join(dir, name);
    const id = articleIdOf(name);
    const info = infos[i];
    if (!info) return; // removed while listing
    if (info.isSymbolicLink()) {
      skipped.push({ path, reason: 'symbolic link, not followed: copy the file into the corpus instead' });
      return;
    }
    const clash = seen.get(id);
    if (clash !== undefined) {
      skipped.push({ path, reason: `same article id "${id}" as ${clash}: rename one of them` });
      return;
    }
    seen.set(id, name);
    files.push({ id, path, size: info.size, mtimeMs: info.mtimeMs });
  });
  return { files, skipped };
}

/** The articles of a corpus, and the files that were skipped (to show as warnings). */
export interface LoadedCorpus {
  articles: Article[];
  skipped: SkippedFile[];
}

/** Reads every article of `dir` (for evaluation and benchmarks; the index reads only what changed). */
export async function loadCorpus(dir: string): Promise<LoadedCorpus> {
  const { files, skipped } = await scanCorpus(dir);
  if (files.length === 0) throw new CorpusError(`Corpus directory ${dir} has no .txt or .md articles.`);
  const articles: Article[] = [];
  for (const file of files) {
    const result = await readCorpusFile(file);
    if ('reason' in result) skipped.push(result);
    else articles.push(result);
  }
  return { articles, skipped };
}

/** Reads and cleans one listed file. */
export async function readCorpusFile(file: CorpusFile): Promise<Article | SkippedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    return { path: file.path, reason: `cannot be read (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(error))})` };
  }
  return articleFromBytes(file.path, file.id, bytes);
}
