import path from 'node:path';
import type { Config } from '../config.ts';
import { loadCorpus } from '../corpus/load.ts';
import { loadEmbedder } from '../index/embedder.ts';
import { embedderOptions } from '../engine.ts';
import { MANIFEST_FILE, corpusFingerprint, readManifest, staleReason } from '../index/manifest.ts';
import { loadLexicon } from '../search/lexicon.ts';

/** A status report of everything trichdan depends on; reads, never rebuilds. */
export async function runDoctor(config: Config): Promise<string> {
  const lines: string[] = ['trichdan doctor', ''];
  const row = (label: string, value: string) => lines.push(`${(label ? `${label}:` : '').padEnd(12)} ${value}`);

  let fingerprint: string | null = null;
  try {
    const { articles, skipped } = await loadCorpus(config.corpusDir);
    fingerprint = corpusFingerprint(articles);
    row('corpus', `${config.corpusDir}: ${articles.length} articles${skipped.length ? `, ${skipped.length} skipped` : ''}`);
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
    const stale = fingerprint ? staleReason(manifest, fingerprint, config.chunking) : null;
    row('index', `${config.indexDir}: ${manifest.chunkCount} passages from ${manifest.articleCount} articles, built ${manifest.createdAt}`);
    row('', manifest.dense ? `dense vectors: ${manifest.dense.modelId}, dimension ${manifest.dense.dimension}` : `no dense vectors (${manifest.denseProblem ?? 'no model'})`);
    row('', stale ? `out of date: ${stale} (rebuilt on next start)` : 'matches the corpus and settings');
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
  row('database', config.dbPath);
  row('settings', `chunk ${config.chunking.maxChars} chars / overlap ${config.chunking.overlapSentences}, top-k ${config.retrieval.topK}, min confidence ${config.retrieval.minConfidence} (English ${config.retrieval.minConfidenceEnglish}), HNSW M=${config.hnsw.m} efC=${config.hnsw.efConstruction} ef=${config.hnsw.efSearch}`);
  return lines.join('\n');
}
