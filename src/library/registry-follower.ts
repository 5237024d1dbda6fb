/**
 * Keeps a replica's corpus in step with the shared registry ({@link CorpusRegistry}):
 * - what this replica's library commits (an /add, a feed item, a file dropped in its folder) is
 *   published, found by comparing each new snapshot with the one before;
 * - every `everyMs` the changes other replicas published are written into this replica's corpus
 *   folder and indexed (only those files: no folder scan), so it answers from them within seconds.
 * At start, local articles the registry lacks are published (the first replica seeds it) and the
 * registry's files are pulled.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { articleIdOf, isArticleFileName } from '../corpus/scan.ts';
import { writeFileAtomic } from '../index/atomic.ts';
import type { LoadedIndex } from '../index/build.ts';
import type { IndexedArticle } from '../index/segment-files.ts';
import type { CorpusLibrary } from './library.ts';
import { sha256 } from '../index/manifest.ts';
import type { CorpusRegistry, FileChange } from './registry.ts';

export class RegistryFollower {
  /** Highest registry version applied here. */
  private version = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopListening: () => void = () => {};
  private published: Promise<unknown> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly library: CorpusLibrary,
    private readonly registry: CorpusRegistry,
    private readonly corpusDir: string,
    private readonly everyMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Publishes what the registry lacks, pulls what it has, then follows it. */
  async start(): Promise<void> {
    const known = await this.registry.hashes();
    const missing = this.library.current.articles.filter((a) => !known.has(fileName(a)));
    await this.publish(missing.map((a) => a.id), new Map(missing.map((a) => [a.id, a])));
    await this.pull();
    let previous = this.library.current;
    this.stopListening = this.library.onChange((next) => {
      const before = previous;
      previous = next;
      this.published = this.published.then(() => this.publishDiff(before, next)).catch((error: unknown) => {
        this.log(`registry: publishing a change failed (${(error as Error).message}); it is published at the next change`);
      });
    });
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.pull()).catch(() => undefined);
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopListening();
    await this.running;
    await this.published;
  }

  /** Applies the changes other replicas published since the last pull. */
  async pull(): Promise<void> {
    let changes;
    try {
      changes = await this.registry.changesSince(this.version);
      if (this.failing) this.log('registry: reachable again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log(`registry: cannot read the shared registry (${(error as Error).message.split('\n')[0]}); retrying`);
      this.failing = true;
      return;
    }
    if (changes.length === 0) return;
    const names: string[] = [];
    const byId = new Map(this.library.current.articles.map((a) => [a.id, a]));
    for (const change of changes) {
      // Only a plain article file name is written into the corpus folder (never a path out of it).
      if (path.basename(change.name) !== change.name || !isArticleFileName(change.name)) {
        this.log(`registry: ignored an entry that is not an article file name: ${JSON.stringify(change.name)}`);
        continue;
      }
      const file = path.join(this.corpusDir, change.name);
      const local = byId.get(articleIdOf(change.name));
      if (change.body) {
        if (local?.contentHash === change.contentHash) continue;
        await writeFileAtomic(file, change.body);
        names.push(change.name);
      } else if (local) {
        await rm(file, { force: true });
        names.push(change.name);
      }
    }
    if (names.length) {
      await this.library.applyFiles(names);
      this.log(`registry: ${names.length} file(s) from other replicas indexed`);
    }
    this.version = changes[changes.length - 1].version;
  }

  /** Publishes what changed between two snapshots of this replica's library. */
  private async publishDiff(before: LoadedIndex, after: LoadedIndex): Promise<void> {
    const old = new Map(before.articles.map((a) => [a.id, a]));
    const now = new Map(after.articles.map((a) => [a.id, a]));
    const ids = [...now.values()].filter((a) => old.get(a.id)?.contentHash !== a.contentHash).map((a) => a.id);
    ids.push(...[...old.keys()].filter((id) => !now.has(id)));
    await this.publish(ids, now, old);
  }

  private async publish(ids: readonly string[], present: Map<string, IndexedArticle>, previous = new Map<string, IndexedArticle>()): Promise<void> {
    const changes: FileChange[] = [];
    for (const id of ids) {
      const article = present.get(id);
      if (!article) {
        const gone = previous.get(id);
        if (gone) changes.push({ name: fileName(gone), body: null });
        continue;
      }
      const body = await readFile(path.join(this.corpusDir, fileName(article))).catch(() => null);
      // A file changed again since this snapshot is published by the next one.
      if (body && sha256(body) === article.contentHash) changes.push({ name: fileName(article), body, contentHash: article.contentHash });
    }
    const changed = await this.registry.publish(changes);
    if (changed.length) this.log(`registry: published ${changed.length} file(s) for the other replicas`);
  }
}

const fileName = (article: IndexedArticle): string => path.basename(article.path);
