import path from 'node:path';
import type { Config } from '../config.ts';
import { scanCorpus } from '../corpus/scan.ts';
import { corpusChanges, loadIndex } from '../index/build.ts';
import { loadEmbedder } from '../index/embedder.ts';
import { embedderOptions, indexSettings } from '../engine.ts';
import { MANIFEST_FILE, readManifest } from '../index/manifest.ts';
import { loadLexicon } from '../search/lexicon.ts';
import { PostgresClient, redactedUrl } from '../db/postgres-client.ts';

/** Whether the index matches the corpus folder and the settings, in words (reads, never writes). */
async function indexState(config: Config, corpusReadable: boolean): Promise<string> {
  const loaded = await loadIndex({ ...indexSettings({ config, embedder: null, modelProblem: null, lexicon: null, lexiconProblem: null }), progress: false });
  if ('reason' in loaded) return `out of date: ${loaded.reason} (rebuilt on next start)`;
  if (!corpusReadable) return 'the corpus folder cannot be read';
  const { changes } = await corpusChanges(loaded.index, config.corpusDir, false);
  const pending = changes.upsert.length + changes.remove.length;
  return pending
    ? `${changes.upsert.length} new or changed and ${changes.remove.length} removed article file(s) not indexed yet (indexed on next start or by npx trichdan index)`
    : 'matches the corpus and settings';
}

/** Which database holds the bot's state, and whether it answers (PostgreSQL) — without the password. */
async function databaseState(config: Config): Promise<string> {
  if (!config.databaseUrl) return `${config.dbPath} (SQLite, one bot process)`;
  const where = `${redactedUrl(config.databaseUrl)} (PostgreSQL, shared by replicas)`;
  try {
    const client = await PostgresClient.open(config.databaseUrl, { migrate: false });
    let version: number;
    try {
      version = await client.schemaVersion();
    } finally {
      await client.close(); // also when the version cannot be read: the pool would keep the process alive
    }
    return `${where}: reachable, schema version ${version}${version === 0 ? ' (created at the first start)' : ''}`;
  } catch (error) {
    return `${where}: PROBLEM: ${(error as Error).message}`;
  }
}

/** A status report of everything trichdan depends on; reads, never rebuilds. */
export async function runDoctor(config: Config): Promise<string> {
  const lines: string[] = ['trichdan doctor', ''];
  const row = (label: string, value: string) => lines.push(`${(label ? `${label}:` : '').padEnd(12)} ${value}`);

  let corpusReadable = false;
  try {
    const { files, skipped } = await scanCorpus(config.corpusDir);
    corpusReadable = true;
    row('corpus', `${config.corpusDir}: ${files.length} article files${skipped.length ? `, ${skipped.length} skipped` : ''}`);
    for (const s of skipped) row('', `skipped ${path.basename(s.path)}: ${s.reason}`);
  } catch (error) {
    row('corpus', `PROBLEM: ${(error as Error).message}`);
  }

  const loaded = await loadEmbedder(embedderOptions(config));
  row('model', loaded.ok ? `${config.model.id} (dimension ${loaded.embedder.dimension}, ${config.model.quantized ? 'quantized' : 'full precision'})` : `not available: ${loaded.problem}`);
  row('retrieval', loaded.ok ? 'hybrid (BM25 + dense, fused)' : 'lexical-only (BM25 over syllables, exact + diacritic-folded)');

  const manifest = await readManifest(path.join(config.indexDir, MANIFEST_FILE));
  if (!manifest) row('index', `${config.indexDir}: none yet (built on first use, or run: npx trichdan index)`);
  else {
    row('index', `${config.indexDir}: ${manifest.chunkCount} passages from ${manifest.articleCount} articles, built ${manifest.createdAt}, last changed ${manifest.updatedAt}`);
    row('', manifest.dense ? `dense vectors: ${manifest.dense.modelId}, dimension ${manifest.dense.dimension}` : `no dense vectors (${manifest.denseProblem ?? 'no model'})`);
    row('', await indexState(config, corpusReadable));
  }

  if (!config.lexiconPath) row('lexicon', 'not configured: English questions use their English words only (set TRICHDAN_LEXICON)');
  else {
    try {
      const lexicon = await loadLexicon(config.lexiconPath);
      row('lexicon', `${config.lexiconPath}: ${lexicon.stats.pairs} pairs, ${lexicon.stats.heads} English heads`);
    } catch (error) {
      row('lexicon', `PROBLEM: ${(error as Error).message}`);
    }
  }

  row('telegram', config.telegram.token ? `token set, API ${config.telegram.apiRoot}, ${config.telegram.mode}` : 'no TELEGRAM_BOT_TOKEN (the CLI works without it)');
  row('database', await databaseState(config));
  row('settings', `chunk ${config.chunking.maxChars} chars / overlap ${config.chunking.overlapSentences}, top-k ${config.retrieval.topK}, min confidence ${config.retrieval.minConfidence} (English ${config.retrieval.minConfidenceEnglish}), HNSW M=${config.hnsw.m} efC=${config.hnsw.efConstruction} ef=${config.hnsw.efSearch}`);
  return lines.join('\n');
}
