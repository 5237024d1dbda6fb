/**
 * The shared corpus registry (replicas on one PostgreSQL database): every article file of the
 * corpus, exactly as written to the corpus folder, with its sha256 and a version that increases
 * with every change. Each replica keeps its own corpus folder and index and follows the registry
 * (src/library/registry-follower.ts), so all answer from the same articles.
 */
import type { SqlClient, SqlExecutor } from '../db/sql.ts';
import { articleIdOf } from '../corpus/scan.ts';
import { sha256 } from '../index/manifest.ts';

/** One file as the registry holds it; `body` null once removed. */
export interface RegistryFile {
  name: string;
  body: Buffer | null;
  contentHash: string | null;
  version: number;
}

/** A change to publish: the file's bytes, or null for a removal. */
export interface FileChange {
  name: string;
  body: Buffer | null;
  /** The body's sha256, when the caller has already computed it. */
  contentHash?: string;
}

interface Row {
  name: string;
  body: string | null;
  content_hash: string | null;
  version: number;
}

/** Any key would do; this one spells "corpus" in ASCII. */
const PUBLISH_LOCK = 0x636f72707573;

export class CorpusRegistry {
  constructor(
    private readonly sql: SqlClient,
    private readonly replicaId: string,
  ) {}

  /**
   * Records changes; a file whose content the registry already has is left alone (so a replica
   * applying a change it read never publishes it again). Returns the names actually changed.
   * Publishers take turns (a lock), so versions become visible in the order they are given:
   * a follower that has read up to version v never misses a later commit with a smaller one.
   */
  publish(changes: readonly FileChange[]): Promise<string[]> {
    if (changes.length === 0) return Promise.resolve([]);
    return this.sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [PUBLISH_LOCK]);
      const changed: string[] = [];
      const now = new Date().toISOString();
      for (const change of changes) {
        const hash = change.body ? (change.contentHash ?? sha256(change.body)) : null;
        const row = await tx.get<{ content_hash: string | null }>('SELECT content_hash FROM corpus_files WHERE name = ?', [change.name]);
        if (row ? row.content_hash === hash : hash === null) continue;
        const version = await nextVersion(tx);
        await tx.run(
          `INSERT INTO corpus_files (name, body, content_hash, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET body = excluded.body, content_hash = excluded.content_hash, version = excluded.version,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [change.name, change.body ? change.body.toString('base64') : null, hash, version, now, this.replicaId],
        );
        // The digest's registry: a removed article is never announced (replicas do not infer removals from their own lists).
        if (!change.body) {
          await tx.run('UPDATE articles SET removed_at = ? WHERE article_id = ? AND removed_at IS NULL', [now, articleIdOf(change.name)]);
        }
        changed.push(change.name);
      }
      return changed;
    });
  }

  /** Every change after `version`, oldest first. */
  async changesSince(version: number): Promise<RegistryFile[]> {
    const rows = await this.sql.all<Row>('SELECT name, body, content_hash, version FROM corpus_files WHERE version > ? ORDER BY version', [version]);
    return rows.map((r) => ({
      name: r.name,
      body: r.body === null ? null : Buffer.from(r.body, 'base64'),
      contentHash: r.content_hash,
      version: Number(r.version),
    }));
  }

  /** Name → content hash of every file the registry holds (removed ones: null). */
  async hashes(): Promise<Map<string, string | null>> {
    const rows = await this.sql.all<{ name: string; content_hash: string | null }>('SELECT name, content_hash FROM corpus_files');
    return new Map(rows.map((r) => [r.name, r.content_hash]));
  }
}

async function nextVersion(tx: SqlExecutor): Promise<number> {
  if (tx.dialect === 'postgres') return (await tx.get<{ v: number }>("SELECT nextval('corpus_version') AS v"))!.v;
  return (await tx.get<{ v: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM corpus_files'))!.v;
}
