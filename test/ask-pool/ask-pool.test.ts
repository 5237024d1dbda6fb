/**
 * The ask pool (issue 12): questions answered in worker processes give the same answers as the
 * main thread, an article added while the bot runs is answered at once (never an answer from an
 * older corpus), and a worker that dies costs no answer. Real engine, seed corpus, lexical.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskPool } from '../../src/ask-pool/ask-pool.ts';
import { snapshotKey } from '../../src/ask-pool/messages.ts';
import { CorpusLibrary } from '../../src/library/library.ts';
import { copySeedCorpus, tempDir, testConfig } from '../helpers/engine.ts';

const QUESTIONS = [
  'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?',
  'viet nam da trao tra cho my bao nhieu hom hai cot',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu gì?',
  'Who won the 2022 FIFA World Cup final?',
];

describe('ask pool: questions answered in worker processes', () => {
  let corpusDir: string;
  let work: string;
  let library: CorpusLibrary;
  let pool: AskPool;
  const logs: string[] = [];

  beforeAll(async () => {
    corpusDir = await copySeedCorpus();
    work = await tempDir('trichdan-pool-');
    const config = testConfig({
      TRICHDAN_CORPUS_DIR: corpusDir,
      TRICHDAN_INDEX_DIR: path.join(work, 'index'),
      TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
    });
    library = await CorpusLibrary.open(config, { log: () => {}, progress: false });
    pool = new AskPool(config, library.engine, () => snapshotKey(library.current.manifest), 2, (line) => logs.push(line));
    library.onChange(() => pool.reload());
    expect(await pool.ready()).toBe(2);
  });

  afterAll(async () => {
    await pool?.close();
    await rm(corpusDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('gives the answers the main thread gives', async () => {
    const fromPool = await Promise.all(QUESTIONS.map((q) => pool.ask(q)));
    const fromMain = await Promise.all(QUESTIONS.map((q) => library.engine.ask(q)));
    expect(fromPool).toEqual(fromMain);
    expect(fromPool[0].results[0].quote).toContain('130 triệu USD');
    expect(fromPool[3].answered).toBe(false);
  });

  it('answers from an article added a moment ago, before and after the workers read it', async () => {
    const file = path.join(work, 'cuu-nan.md');
    await writeFile(
      file,
      '# Hải quân Việt Nam và Ấn Độ diễn tập tìm kiếm cứu nạn\n\nNgày 28/11/2026, tàu INS Kiltan của Ấn Độ và tàu hải quân Việt Nam diễn tập tìm kiếm cứu nạn. Cuộc diễn tập gồm 14 tình huống trên biển.\n',
    );
    await library.addPaths([file]);
    const question = 'Cuộc diễn tập với tàu INS Kiltan gồm bao nhiêu tình huống?';
    // At once (the workers may still be reading the new snapshot: the main thread answers then).
    expect((await pool.ask(question)).results[0]?.quote).toContain('14 tình huống');
    await pool.ready();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await pool.ask(question)).results[0]?.quote).toContain('14 tình huống');
  });

  it('loses no answer when a worker dies', async () => {
    const workers = (pool as unknown as { workers: { process: { kill(signal?: NodeJS.Signals): boolean } }[] }).workers;
    const asked = QUESTIONS.map((q) => pool.ask(q));
    workers[0].process.kill('SIGKILL');
    const answers = await Promise.all(asked);
    expect(answers[0].results[0].quote).toContain('130 triệu USD');
    expect(answers).toHaveLength(QUESTIONS.length);
    // Another worker takes its place (a second after the first one died).
    const alive = () => (pool as unknown as { workers: { alive: boolean }[] }).workers.filter((w) => w.alive).length;
    for (const deadline = Date.now() + 15_000; alive() < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await pool.ready()).toBe(2);
  });
});
