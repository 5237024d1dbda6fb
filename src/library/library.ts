/**
 * The live corpus: adds articles from files and URLs, removes them, and picks up files changed
 * by hand or by another process, while the bot answers. Every change goes the same way:
 *
 *   1. the corpus file is written (temporary dot-file, then rename) or deleted: the folder is the
 *      source of truth, so `trichdan index` alone can rebuild everything from it;
 *   2. the index is brought in step with the folder (new segment, tombstones, manifest last);
 *   3. a new engine is made on the new snapshot and swapped in (questions in flight finish on
 *      the old one).
 *
 * A crash between 1 and 2 is repaired by the next start, which indexes the file it finds (or
 * drops the passages of the file that is gone); nothing is cited that is not in the folder.
 * Changes are serialised in this process and locked against other processes (index lock).
 */
import { copyFile, readFile, rm, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { articleFromBytes } from '../corpus/load.ts';
import { articleIdOf, isArticleFileName } from '../corpus/scan.ts';
import { RetrievalEngine, type EngineResources, indexSettings, openEngineParts } from '../engine.ts';
import type { EngineOptions } from '../engine-types.ts';
import { writeAtomically, writeFileAtomic } from '../index/atomic.ts';
import { corpusChanges, hasChanges, loadIndex, type LoadedIndex } from '../index/build.ts';
import { withIndexLock } from '../index/lock.ts';
import { MANIFEST_FILE, readManifest, sha256 } from '../index/manifest.ts';
import type { IndexedArticle } from '../index/segment-files.ts';
import { updateIndex } from '../index/update.ts';
import { articleFileText, articleIdFor } from '../ingest/article-file.ts';
import { fetchArticle, normalizeArticleUrl } from '../ingest/extract.ts';
import { IngestError, type FetchPolicy, type WebArticle } from '../ingest/types.ts';
import { LiveEngine } from './live-engine.ts';
import type { AddOutcome, ArticleInfo, FeedStatus, Library, LibraryStats, RefreshReport } from './types.ts';

/** Options of {@link CorpusLibrary.open}. */
export interface LibraryOptions extends EngineOptions {
  /** Fetches and extracts a page (default: the real fetch with the config's limits). */
  fetchArticle?: (url: string, policy: FetchPolicy) => Promise<WebArticle>;
  /** Rebuild the index on open. */
  forceRebuild?: boolean;
}

/** How an article looks to people. */
export function articleInfo(article: IndexedArticle): ArticleInfo {
  return {
    id: article.id,
    title: article.title,
    date: article.date,
    source: article.source,
    url: article.url,
    addedAt: article.addedAt,
    passages: article.docEnd - article.docStart,
  };
}

export class CorpusLibrary implements Library {
  readonly engine: LiveEngine;
  private queue: Promise<unknown> = Promise.resolve();
  private feedStatuses: () => FeedStatus[] = () => [];
  private readonly listeners = new Set<(index: LoadedIndex) => void>();
  /** Cleaned-text hash → article id of the current snapshot (built when first needed). */
  private byText: { index: LoadedIndex; ids: Map<string, string> } | null = null;

  private constructor(
    private readonly config: Config,
    private readonly resources: EngineResources,
    private index: LoadedIndex,
    private readonly log: (line: string) => void,
    private readonly fetchPage: (url: string, policy: FetchPolicy) => Promise<WebArticle>,
  ) {
    this.engine = new LiveEngine(new RetrievalEngine(resources, index));
  }

  /** Loads the model and lexicon, opens (and updates) the index, and says what it did. */
  static async open(config: Config, options: LibraryOptions = {}): Promise<CorpusLibrary> {
    const { resources, index, log } = await openEngineParts(config, options);
    return new CorpusLibrary(config, resources, index, log, options.fetchArticle ?? fetchArticle);
  }

  /** The snapshot answers come from now. */
  get current(): LoadedIndex {
    return this.index;
  }

  /** Where /stats and /feeds read the feeds' state from (set by the feed poller's owner). */
  setFeedStatuses(statuses: () => FeedStatus[]): void {
    this.feedStatuses = statuses;
  }

  /** Whether another process committed a change to the index since this snapshot (the manifest differs). */
  async changedOnDisk(): Promise<boolean> {
    const onDisk = await readManifest(path.join(this.config.indexDir, MANIFEST_FILE));
    return onDisk !== null && JSON.stringify(onDisk) !== JSON.stringify(this.index.manifest);
  }

  /** Called after every swap, with the new snapshot. */
  onChange(listener: (index: LoadedIndex) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async addUrl(url: string, via: { feed?: string } = {}): Promise<AddOutcome> {
    // The network part runs outside the lock: a slow site never holds up other changes.
    const web = await this.fetchPage(url, this.config.ingest.fetch);
    return this.change(async () => {
      const canonical = normalizeArticleUrl(web.canonicalUrl) ?? web.canonicalUrl;
      const sameUrl = this.index.articles.find((a) => a.url !== null && (normalizeArticleUrl(a.url) ?? a.url) === canonical);
      const id = sameUrl?.id ?? articleIdFor(web);
      const fileText = articleFileText(web, new Date(), via);
      const parsed = articleFromBytes(path.join(this.config.corpusDir, `${id}.md`), id, Buffer.from(fileText));
      if ('reason' in parsed) throw new IngestError('no_article', `no article text left after cleaning the page (${parsed.reason})`);
      if (sameUrl && sameUrl.text === parsed.text && sameUrl.title === parsed.title) return { status: 'duplicate', article: articleInfo(sameUrl) };
      const twin = this.sameText(parsed.text);
      if (twin && twin.id !== id) return { status: 'duplicate', article: articleInfo(twin) };
      // An article reached before under the same URL keeps its file name (.txt or .md).
      const file = sameUrl ? this.fileOf(sameUrl) : path.join(this.config.corpusDir, `${id}.md`);
      await writeFileAtomic(file, fileText);
      const next = await this.applyFolder([path.basename(file)]);
      const indexed = next.articles.find((a) => a.id === id);
      if (!indexed) throw new IngestError('no_article', 'the article could not be indexed');
      return { status: sameUrl ? 'updated' : 'added', article: articleInfo(indexed) };
    });
  }

  async addPaths(paths: readonly string[]): Promise<AddOutcome[]> {
    const files = await expandPaths(paths);
    return this.change(async () => {
      const outcomes: AddOutcome[] = [];
      const corpusDir = path.resolve(this.config.corpusDir);
      const written = new Map<string, 'added' | 'updated' | 'unchanged'>();
      const names: string[] = [];
      // Every file is read and checked before any is copied: one bad file adds nothing.
      const checked = [];
      for (const source of files) {
        const id = articleIdOf(path.basename(source));
        const parsed = articleFromBytes(source, id, await readFile(source));
        if ('reason' in parsed) throw new IngestError('no_article', `${source}: ${parsed.reason}`);
        checked.push({ source, id, parsed });
      }
      for (const { source, id, parsed } of checked) {
        const existing = this.index.articles.find((a) => a.id === id);
        const twin = this.sameText(parsed.text);
        if (twin && twin.id !== id) {
          outcomes.push({ status: 'duplicate', article: articleInfo(twin) });
          continue;
        }
        const inCorpus = path.join(corpusDir, path.basename(source));
        // An article already in the folder under another name (x.txt for x.md) keeps its file, as with URLs.
        const target = existing ? this.fileOf(existing) : inCorpus;
        // Copied to a temporary dot-file, then renamed: a crash never leaves a truncated article.
        if (path.resolve(source) !== inCorpus) await writeAtomically(target, (temp) => copyFile(source, temp));
        names.push(path.basename(target));
        written.set(id, !existing ? 'added' : existing.contentHash === parsed.contentHash ? 'unchanged' : 'updated');
      }
      const next = await this.applyFolder(names);
      for (const [id, status] of written) {
        const indexed = next.articles.find((a) => a.id === id);
        if (indexed) outcomes.push({ status, article: articleInfo(indexed) });
      }
      return outcomes;
    });
  }

  async remove(idOrUrl: string): Promise<ArticleInfo | null> {
    return this.change(async () => {
      const wanted = idOrUrl.trim();
      const url = normalizeArticleUrl(wanted);
      const article = this.index.articles.find((a) => a.id === wanted || (url !== null && a.url !== null && (normalizeArticleUrl(a.url) ?? a.url) === url));
      if (!article) return null;
      await rm(this.fileOf(article), { force: true });
      await this.applyFolder([path.basename(article.path)]);
      return articleInfo(article);
    });
  }

  /**
   * Indexes these files of the corpus folder, written or deleted by someone else (the shared
   * registry's follower), as one change.
   */
  async applyFiles(names: readonly string[]): Promise<void> {
    await this.change(() => this.applyFolder(names));
  }

  list(): ArticleInfo[] {
    return this.index.articles.map(articleInfo);
  }

  async refresh(): Promise<RefreshReport> {
    return this.change(async () => {
      const before = new Map(this.index.articles.map((a) => [a.id, a.contentHash]));
      const next = await this.applyFolder();
      const after = new Map(next.articles.map((a) => [a.id, a.contentHash]));
      return {
        added: [...after.keys()].filter((id) => !before.has(id)),
        updated: [...after].filter(([id, hash]) => before.has(id) && before.get(id) !== hash).map(([id]) => id),
        removed: [...before.keys()].filter((id) => !after.has(id)),
      };
    });
  }

  stats(): LibraryStats {
    return {
      articles: this.index.articles.length,
      passages: this.index.chunkCount,
      retrieval: this.engine.status().retrieval,
      lastIngestAt: this.index.manifest.updatedAt,
      feeds: this.feedStatuses(),
    };
  }

  /** Waits for the changes in progress (for a clean shutdown). */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Runs one change at a time in this process, under the index lock against other processes. */
  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      withIndexLock(this.config.indexDir, async () => {
        await this.catchUp();
        return work();
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the index in step with the corpus folder (or, with `only`, with the files this process
   * just wrote or deleted: no scan of a folder of 30k files for one article), then swaps the engine. Runs under the lock. On failure, the snapshot is re-read
   * from disk, so memory never holds what was not committed.
   */
  private async applyFolder(only?: readonly string[]): Promise<LoadedIndex> {
    const settings = indexSettings(this.resources, false);
    try {
      const current = this.index;
      const { changes, skipped } = await corpusChanges(current, this.config.corpusDir, false, only);
      for (const s of skipped) this.log(`warning: skipped ${s.path}: ${s.reason}`);
      const next = hasChanges(changes) ? await updateIndex(current, settings, changes) : current;
      for (const action of next.actions) if (next !== current) this.log(action);
      this.swap(next);
      return next;
    } catch (error) {
      const reloaded = await loadIndex(settings).catch(() => null);
      if (reloaded && 'index' in reloaded) this.swap(reloaded.index);
      throw error;
    }
  }

  /**
   * Takes up what another process (trichdan add, a cron feeds run) committed to the index since
   * this snapshot, so duplicates are checked against it and changes build on it. Under the lock.
   */
  private async catchUp(): Promise<void> {
    if (!(await this.changedOnDisk())) return;
    const loaded = await loadIndex(indexSettings(this.resources, false));
    if ('index' in loaded) this.swap(loaded.index);
  }

  private swap(next: LoadedIndex): void {
    if (next === this.index) return;
    this.index = next;
    this.engine.swap(new RetrievalEngine(this.resources, next));
    for (const listener of this.listeners) listener(next);
  }

  /** The article's file in the corpus folder (by name: the folder may have moved since it was indexed). */
  private fileOf(article: IndexedArticle): string {
    return path.join(path.resolve(this.config.corpusDir), path.basename(article.path));
  }

  /** The live article with exactly this cleaned text, if any. */
  private sameText(text: string): IndexedArticle | undefined {
    if (this.byText?.index !== this.index) {
      this.byText = { index: this.index, ids: new Map(this.index.articles.map((a) => [a.textSha256, a.id])) };
    }
    const id = this.byText.ids.get(sha256(text));
    return id === undefined ? undefined : this.index.articles.find((a) => a.id === id);
  }
}

/** The article files named: files as they are, folders by their .txt/.md files. Throws IngestError with a clear message. */
async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new IngestError('bad_url', `${p}: no such file or folder`);
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter(isArticleFileName).sort();
      if (!names.length) throw new IngestError('no_article', `${p}: the folder has no .txt or .md articles`);
      files.push(...names.map((n) => path.join(p, n)));
    } else if (isArticleFileName(path.basename(p))) files.push(p);
    else throw new IngestError('no_article', `${p}: only .txt and .md files are articles`);
  }
  return files;
}

