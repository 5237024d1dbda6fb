import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/scan.ts';

/** Title line, blank line, paragraphs separated by blank lines (one with a soft wrap, as in 12-oxygen). */
const XQUAD_STYLE = [
  'Sky (United Kingdom)',
  '',
  'Sky UK Limited (trước đây là British Sky Broadcasting hoặc BSkyB) là một công ty viễn thông của Anh. Đây là nhà cung cấp truyền hình trả tiền lớn nhất Vương quốc Anh.',
  '',
  'Năm 1891 nhà hóa học James Dewar đã tạo ra đủ oxi lỏng để nghiên cứu bằng cách nén O',
  '2 ở nhiệt độ thấp.',
  '',
  'Ảnh hưởng của công ty lên thị trường là rất lớn: "Chữ và Ảnh" là tên một bộ phận.',
  '',
].join('\n');

const tmp = mkdtempSync(join(tmpdir(), 'trichdan-xquad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('xquad-style articles', () => {
  it('take the first line as the title and keep every paragraph', async () => {
    writeFileSync(join(tmp, '08-sky-united-kingdom.txt'), XQUAD_STYLE);
    const { articles, skipped } = await loadCorpus(tmp);
    expect(skipped).toEqual([]);
    const [a] = articles;
    expect(a).toMatchObject({ id: '08-sky-united-kingdom', title: 'Sky (United Kingdom)', date: null, source: null, url: null });
    expect(a.text.split('\n\n')).toEqual([
      'Sky UK Limited (trước đây là British Sky Broadcasting hoặc BSkyB) là một công ty viễn thông của Anh. Đây là nhà cung cấp truyền hình trả tiền lớn nhất Vương quốc Anh.',
      'Năm 1891 nhà hóa học James Dewar đã tạo ra đủ oxi lỏng để nghiên cứu bằng cách nén O 2 ở nhiệt độ thấp.',
      'Ảnh hưởng của công ty lên thị trường là rất lớn: "Chữ và Ảnh" là tên một bộ phận.',
    ]);
  });
});

// The shared benchmark next to the repository, when it is there (not part of a clone).
const dataset = fileURLToPath(new URL('../../../shared/datasets/xquad-vi/', import.meta.url));

describe.skipIf(!existsSync(join(dataset, 'articles')))('the xquad-vi dataset', () => {
  it('ingests all 48 articles: title = first line, no paragraph lost, every dev answer still in the text', async () => {
    const { articles, skipped } = await loadCorpus(join(dataset, 'articles'));
    expect(skipped).toEqual([]);
    expect(articles).toHaveLength(48);
    for (const a of articles) {
      const raw = readFileSync(a.path, 'utf8').normalize('NFC');
      expect(a.title).toBe(raw.split('\n')[0].trim());
      const rawParagraphs = raw.split(/\n\s*\n/u).slice(1).filter((p) => p.trim());
      expect(a.text.split('\n\n')).toHaveLength(rawParagraphs.length);
    }
    const byId = new Map(articles.map((a) => [a.id, a.text]));
    const questions = readFileSync(join(dataset, 'dev-questions.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const missing = questions.filter((q) => !q.answers.some((ans: string) => byId.get(q.article)?.includes(ans.normalize('NFC'))));
    expect(missing).toEqual([]);
    expect(readdirSync(join(dataset, 'articles')).length).toBe(48);
  });
});
