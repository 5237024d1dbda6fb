/**
 * A small evaluation of claims and follow-ups on the seed corpus with the real engine (lexical):
 * prints how many claims get the right sentence, how many absent claims are wrongly confirmed,
 * and how many follow-ups are merged rightly or wrongly. The bars below are the figures reached
 * when this was written, so a regression fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import type { Engine } from '../../src/engine-types.ts';
import { findClaimSources } from '../../src/bot/claims.ts';
import { loadLexicon, type Lexicon } from '../../src/search/lexicon.ts';
import { followUpOf } from '../../src/bot/follow-up.ts';
import { CLAIM_CASES, FOLLOW_UP_CASES } from './conversation-cases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let engine: Engine;
let lexicon: Lexicon;
let indexDir: string;

beforeAll(async () => {
  indexDir = mkdtempSync(path.join(tmpdir(), 'trichdan-claims-eval-'));
  const config = loadConfig(
    {
      TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
      TRICHDAN_INDEX_DIR: indexDir,
      TRICHDAN_MODELS_DIR: path.join(ROOT, 'models'),
      TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
      TRICHDAN_LEXICON: path.join(ROOT, 'lexicons/en-vi/en-vi.tsv'),
    },
    { cwd: ROOT, dotenv: false },
  );
  engine = await createEngine(config, { progress: false, log: () => {} });
  lexicon = await loadLexicon(config.lexiconPath!);
});

afterAll(async () => {
  await engine?.close();
  if (indexDir) rmSync(indexDir, { recursive: true, force: true });
});

describe('claims on the seed corpus', () => {
  it('finds the sentence of a claim the corpus makes, and confirms few it does not', async () => {
    const counts = { right: 0, wrongQuote: 0, missed: 0, rightlyNotFound: 0, wronglyConfirmed: 0 };
    const lines: string[] = [];
    for (const c of CLAIM_CASES) {
      const found = await findClaimSources(c.claim, engine, lexicon);
      const top = found.results[0];
      let verdict: keyof typeof counts;
      if (c.expect === null) verdict = top ? 'wronglyConfirmed' : 'rightlyNotFound';
      else if (!top) verdict = 'missed';
      else verdict = found.results.some((r) => r.article.id.startsWith(c.expect!.article) && r.quote.includes(c.expect!.text)) ? 'right' : 'wrongQuote';
      counts[verdict]++;
      lines.push(`${verdict.padEnd(16)} ${c.kind.padEnd(10)} ${c.claim}${top ? `\n${' '.repeat(28)}→ ${top.article.id.slice(0, 3)}: ${top.quote.slice(0, 110)}` : ''}`);
    }
    console.log(`claims (${CLAIM_CASES.length}):\n${lines.join('\n')}\n${JSON.stringify(counts)}`);
    expect(counts.wronglyConfirmed).toBe(0);
    expect(counts.right).toBeGreaterThanOrEqual(14);
  });
});

describe('follow-ups on the seed corpus', () => {
  it('reads fragments with the question before them and leaves questions of their own alone', async () => {
    const counts = { rightQuote: 0, wrongQuote: 0, rightlyMerged: 0, wronglyMerged: 0, wronglyNotMerged: 0 };
    const lines: string[] = [];
    for (const c of FOLLOW_UP_CASES) {
      const previous = { question: c.first, withContext: c.first, answerIds: [], at: 0, ageMs: 60_000 };
      const followUp = followUpOf(c.then, previous, { replied: false, privateChat: true });
      if (followUp && !c.merge) counts.wronglyMerged++;
      else if (!followUp && c.merge) counts.wronglyNotMerged++;
      else if (followUp) counts.rightlyMerged++;
      const answer = await engine.ask(followUp?.question ?? c.then, { topK: 3, ...(followUp ? { context: followUp.context } : {}) });
      const top = answer.answered ? answer.results[0] : undefined;
      const right =
        c.expect === null ? !top : top !== undefined && top.article.id.startsWith(c.expect.article) && top.quote.includes(c.expect.text);
      counts[right ? 'rightQuote' : 'wrongQuote']++;
      lines.push(
        `${right ? 'right' : 'WRONG'} ${followUp ? 'merged' : 'alone '} ${c.first} → ${c.then}${top ? `\n${' '.repeat(13)}→ ${top.article.id.slice(0, 3)}: ${top.quote.slice(0, 100)}` : ' → (not found)'}`,
      );
    }
    console.log(`follow-ups (${FOLLOW_UP_CASES.length}):\n${lines.join('\n')}\n${JSON.stringify(counts)}`);
    expect(counts.wronglyMerged).toBe(0);
    expect(counts.wronglyNotMerged).toBeLessThanOrEqual(1);
    expect(counts.rightQuote).toBeGreaterThanOrEqual(12);
  });
});
