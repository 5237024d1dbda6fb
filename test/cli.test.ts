import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, copySeedCorpus, tempDir, testEnv } from './helpers/engine.ts';

/** Runs the real CLI as a user would (`npx trichdan …` runs bin/trichdan.js). */
function trichdan(args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/trichdan.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trichdan CLI', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = testEnv({ TRICHDAN_CORPUS_DIR: await copySeedCorpus(), TRICHDAN_INDEX_DIR: await tempDir(), TRICHDAN_MODELS_DIR: await tempDir() });
    expect(trichdan(['index'], env).code).toBe(0);
  });

  it('ask --json prints exactly one JSON object with the contract fields', () => {
    const { code, stdout, stderr } = trichdan(['ask', '--json', 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?'], env);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(stdout);
    expect(json.answered).toBe(true);
    const r = json.results[0];
    expect(Object.keys(r).sort()).toEqual(['article', 'passage', 'quote', 'score']);
    expect(Object.keys(r.article).sort()).toEqual(['date', 'id', 'source', 'title', 'url']);
    expect(r.article.id).toMatch(/^002_/);
    expect(r.passage).toContain(r.quote);
    expect(typeof r.score).toBe('number');
    expect(stderr).toMatch(/lexical-only retrieval/);
  });

  it('ask --json reads one question per line from stdin and prints one JSON line each', () => {
    const { code, stdout } = trichdan(['ask', '--json'], env, 'hòm hài cốt trao trả\n\nGiá vàng SJC hôm nay?\n   \n');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].answered).toBe(true);
    expect(lines[1]).toEqual({ answered: false, results: [] });
  });

  it('ask prints quotes with citations for people', () => {
    const { code, stdout } = trichdan(['ask', 'viet nam da trao tra cho my bao nhieu hom hai cot'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/994 hòm đựng hài cốt/);
    expect(stdout).toMatch(/— Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ bàn về hợp tác quốc phòng song phương — 02\/11\/2025, Tiền Phong/);
  });

  it('says so plainly when the corpus does not answer, listing what it covers', () => {
    const { stdout } = trichdan(['ask', 'Giá vàng SJC hôm nay là bao nhiêu?'], env);
    expect(stdout).toMatch(/không có câu trả lời/);
    expect(stdout).toMatch(/Đại tướng Phan Văn Giang hội đàm với Bộ trưởng Bộ Quốc phòng Liên bang Nga/);
  });

  it('answers bad input with a clear message, not a stack trace', () => {
    const empty = trichdan(['ask', '--json', '   '], env);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ answered: false, results: [], problem: expect.stringMatching(/trống/) });
    const missing = trichdan(['ask'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^trichdan: ask needs a question/);
    const badSetting = trichdan(['ask', 'x'], { ...env, TRICHDAN_TOP_K: 'lots' });
    expect(badSetting.code).toBe(1);
    expect(badSetting.stderr.trim().split('\n')).toHaveLength(1);
    expect(badSetting.stderr).toMatch(/TRICHDAN_TOP_K="lots"/);
    const noCorpus = trichdan(['ask', 'x', '--corpus', '/nonexistent/dir'], env);
    expect(noCorpus.code).toBe(1);
    expect(noCorpus.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an English question with Vietnamese quotes, using the configured lexicon', () => {
    const lexicon = path.join(PROJECT_ROOT, 'test/fixtures/lexicon/en-vi-small.tsv');
    const { code, stdout, stderr } = trichdan(['ask', 'Since when have missing soldiers been searched for under the memorandum?'], { ...env, TRICHDAN_LEXICON: lexicon });
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/English questions without translation/);
    expect(stdout).toMatch(/^\(matched by: [^)]*(bản ghi nhớ|mất tích)/);
    expect(stdout).toMatch(/tháng 7\/2021/);
    expect(stdout).toMatch(/Bộ Quốc phòng Việt Nam và Bộ Chiến tranh Mỹ bàn về hợp tác quốc phòng song phương/);
  });

  it('says once that English questions run untranslated when the lexicon is missing or broken, and still answers', () => {
    for (const lexicon of ['/nonexistent/en-vi.tsv', path.join(PROJECT_ROOT, 'test/fixtures/lexicon/no-tabs.tsv')]) {
      const { code, stdout, stderr } = trichdan(['ask', '--json', 'Who is Elbridge Colby?'], { ...env, TRICHDAN_LEXICON: lexicon });
      expect(code).toBe(0);
      expect(stderr.match(/English questions without translation: .+/g)).toHaveLength(1);
      expect(JSON.parse(stdout).results[0]?.article.id).toMatch(/^001_/);
    }
  });

  it('an index folder it cannot use gets one line naming the path, TRICHDAN_INDEX_DIR and what to do (issue 12)', async () => {
    const base = await tempDir();
    const file = path.join(base, 'not-a-folder');
    writeFileSync(file, 'x');
    const oneLine = (indexDir: string, args: string[]) => {
      const { code, stderr } = trichdan(['-q', ...args], { ...env, TRICHDAN_INDEX_DIR: indexDir });
      expect(code).toBe(1);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`(TRICHDAN_INDEX_DIR)`);
      return lines[0];
    };
    expect(oneLine(file, ['index'])).toBe(
      `trichdan: the index folder ${file} (TRICHDAN_INDEX_DIR) cannot be used: ${file} is a file where a folder should be; move that file away or point TRICHDAN_INDEX_DIR at a folder`,
    );
    expect(oneLine(path.join(file, 'index'), ['index'])).toBe(
      `trichdan: the index folder ${path.join(file, 'index')} (TRICHDAN_INDEX_DIR) cannot be used: ${file} is a file where a folder should be; move that file away or point TRICHDAN_INDEX_DIR at a folder`,
    );
    const copy = path.join(base, 'index');
    cpSync(env.TRICHDAN_INDEX_DIR, copy, { recursive: true });
    const segment = readdirSync(copy).find((f) => f.endsWith('.json') && f !== 'manifest.json')!;
    rmSync(path.join(copy, segment));
    mkdirSync(path.join(copy, segment));
    expect(oneLine(copy, ['ask', 'dioxin'])).toBe(
      `trichdan: the index folder ${copy} (TRICHDAN_INDEX_DIR) cannot be used: ${path.join(copy, segment)} is a folder where a file should be; remove that folder, then run \`trichdan index --force\``,
    );
  });

  it('has --help and a doctor that reports model, index, corpus and lexicon', () => {
    expect(trichdan(['--help'], env).stdout).toMatch(/Usage: trichdan/);
    const doctor = trichdan(['doctor'], env);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/model:\s+not available/);
    expect(doctor.stdout).toMatch(/retrieval:\s+lexical-only/);
    expect(doctor.stdout).toMatch(/index:.*passages from 5 articles/);
    expect(doctor.stdout).toMatch(/lexicon:/);
  });
});
