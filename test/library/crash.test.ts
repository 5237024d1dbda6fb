/**
 * kill -9 during an ingest, then a restart: the corpus folder and the index agree, nothing is
 * indexed twice, nothing is cited that has no file, no temporary file is left in the index, and
 * the lock the killed process held does not block anyone. Real child processes
 * (`node bin/trichdan.js add …`) on temp folders, killed with SIGKILL at moments chosen by
 * watching the folders (start-up, holding the lock, copying, tokenising, writing the segment,
 * writing the manifest, after the manifest), and at fixed delays while fetching URLs from a slow
 * local server. Also: a second writer waits for the lock and both succeed.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleIdOf, isArticleFileName, readCorpusFile } from '../../src/corpus/scan.ts';
import { withIndexLock } from '../../src/index/lock.ts';
import type { Manifest } from '../../src/index/manifest.ts';
import { CorpusLibrary } from '../../src/library/library.ts';
import { SEED_CORPUS, tempDir, testConfig, testEnv } from '../helpers/engine.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';
import { type CliResult, runCli, startCli } from './helpers/cli-process.ts';
import { articleMarkdown, articlePage, generatedArticle } from './helpers/articles.ts';

const ARTICLES = 40;
/** Paragraphs added to each generated article: big enough that tokenising and writing the segment take a while. */
const PADDING = 20;
const quiet = { log: () => {}, progress: false } as const;

interface Dirs {
  root: string;
  corpusDir: string;
  indexDir: string;
  env: Record<string, string>;
}

/** What the folders look like at one instant (read synchronously, every millisecond while a child runs). */
interface Observation {
  elapsedMs: number;
  newFiles: number;
  /** Hidden temporary files in the corpus folder (an article being written). */
  corpusTmp: number;
  lock: boolean;
  tmp: string[];
  newSegments: string[];
  /** Segment files the manifest on disk does not list (written, not committed). */
  unlisted: string[];
  manifestChanged: boolean;
  /** Articles the manifest on disk holds beyond those it held at the start. */
  indexedNew: number;
}

type Phase =
  | 'start-up (nothing written)'
  | 'copying articles'
  | 'articles written, index not yet'
  | 'writing the index'
  | 'after a commit (every article written is indexed)'
  | 'finished on its own';

let sourceDir: string;
let server: WebServer;
const phases: { run: string; phase: Phase; observed: Observation }[] = [];

function dirsIn(root: string): Dirs {
  const corpusDir = path.join(root, 'corpus');
  const indexDir = path.join(root, 'index');
  const env = testEnv({
    TRICHDAN_CORPUS_DIR: corpusDir,
    TRICHDAN_INDEX_DIR: indexDir,
    TRICHDAN_MODELS_DIR: path.join(root, 'models'),
    TRICHDAN_DB: path.join(root, 'trichdan.sqlite'),
    TRICHDAN_ALLOW_PRIVATE_URLS: 'true',
  });
  return { root, corpusDir, indexDir, env };
}

/**
 * A private copy of the seed corpus with its index built in place (an index copied from another
 * folder would re-index every article on open: it records the files' paths).
 */
async function freshDirs(): Promise<Dirs> {
  const d = dirsIn(await tempDir('trichdan-crash-'));
  await cp(SEED_CORPUS, d.corpusDir, { recursive: true });
  await mkdir(path.join(d.root, 'models'));
  await CorpusLibrary.open(configOf(d), quiet);
  return d;
}

const configOf = (d: Dirs) => testConfig(d.env);

function observer(d: Dirs) {
  const initialCorpus = new Set(readdirSync(d.corpusDir));
  const initialIndex = new Set(readdirSync(d.indexDir));
  const manifestFile = path.join(d.indexDir, 'manifest.json');
  const initialManifest = readFileSync(manifestFile, 'utf8');
  const initialCount = (JSON.parse(initialManifest) as Manifest).articleCount;
  const started = Date.now();
  return (): Observation => {
    const corpus = readdirSync(d.corpusDir);
    const index = readdirSync(d.indexDir);
    let manifest = initialManifest;
    try {
      manifest = readFileSync(manifestFile, 'utf8');
    } catch {
      // renamed into place this very instant: read again next time
    }
    const committed = JSON.parse(manifest) as Manifest;
    const listed = new Set(committed.segments.flatMap((seg) => [`${seg.name}.json`, `${seg.name}.lex`]));
    return {
      elapsedMs: Date.now() - started,
      newFiles: corpus.filter((n) => !initialCorpus.has(n) && isArticleFileName(n)).length,
      corpusTmp: corpus.filter((n) => n.startsWith('.') && n.endsWith('.tmp')).length,
      lock: index.includes('.lock'),
      tmp: index.filter((n) => n.endsWith('.tmp')),
      newSegments: index.filter((n) => /^seg-\d+\.(json|lex)$/u.test(n) && !initialIndex.has(n)),
      unlisted: index.filter((n) => /^seg-\d+\.(json|lex)$/u.test(n) && !listed.has(n)),
      manifestChanged: manifest !== initialManifest,
      indexedNew: committed.articleCount - initialCount,
    };
  };
}

/** `copying`: how many files a folder add copies (null for URLs, written one at a time and indexed after each). */
function phaseOf(o: Observation, copying: number | null, exited: boolean): Phase {
  if (exited) return 'finished on its own';
  if (o.tmp.length || o.unlisted.length) return 'writing the index';
  if (o.newFiles === 0) return o.corpusTmp ? 'copying articles' : 'start-up (nothing written)';
  if (o.indexedNew >= o.newFiles) return 'after a commit (every article written is indexed)';
  if (copying !== null && o.newFiles < copying) return 'copying articles';
  return 'articles written, index not yet';
}

/**
 * Starts `trichdan …args` on `d`, watches the folders every millisecond and kills the process
 * with SIGKILL as soon as `when` holds. Returns where it was when it died (from the folders once
 * it is dead) and its result.
 */
async function killWhen(d: Dirs, args: string[], when: (o: Observation) => boolean, copying: number | null): Promise<{ phase: Phase; observed: Observation; result: CliResult }> {
  const observe = observer(d);
  const run = startCli(args, d.env);
  let killed = false;
  let exited = false;
  void run.done.then(() => (exited = true));
  const timer = setInterval(() => {
    if (killed || exited) return;
    if (when(observe())) {
      killed = run.child.kill('SIGKILL');
    }
  }, 1);
  const result = await run.done;
  clearInterval(timer);
  const observed = observe();
  return { phase: phaseOf(observed, copying, !killed || result.signal !== 'SIGKILL'), observed, result };
}

/**
 * The restart and its checks: opening the library takes over the dead process's lock; every
 * article file is indexed exactly once with the text it has on disk; nothing indexed lacks its
 * file; no temporary file is left in the index; answers cite only files that exist.
 */
async function expectConsistent(d: Dirs, label: string, questions: { id: string; question: string }[]): Promise<CorpusLibrary> {
  const started = Date.now();
  const library = await CorpusLibrary.open(configOf(d), quiet);
  expect(Date.now() - started, `${label}: the restart waited on the dead process's lock`).toBeLessThan(10_000);
  const names = (await readdir(d.corpusDir)).filter(isArticleFileName);
  const ids = library.list().map((a) => a.id);
  expect(new Set(ids).size, `${label}: an article indexed twice`).toBe(ids.length);
  expect([...ids].sort(), `${label}: index and folder differ`).toEqual(names.map(articleIdOf).sort());
  const texts = new Set<string>();
  for (const article of library.current.articles) {
    const info = statSync(article.path);
    const onDisk = await readCorpusFile({ id: article.id, path: article.path, size: info.size, mtimeMs: info.mtimeMs });
    expect('contentHash' in onDisk && onDisk.contentHash, `${label}: ${article.id} is indexed with another text than its file`).toBe(article.contentHash);
    texts.add(article.contentHash);
  }
  expect(texts.size, `${label}: the same text indexed twice`).toBe(library.current.articles.length);
  expect((await readdir(d.indexDir)).filter((n) => n.endsWith('.tmp')), `${label}: temporary files left in the index`).toEqual([]);
  expect(await readdir(d.indexDir), `${label}: lock still there`).not.toContain('.lock');
  const present = new Set(ids);
  for (const { id, question } of questions) {
    const answer = await library.engine.ask(question);
    for (const r of answer.results) expect(present.has(r.article.id), `${label}: cites ${r.article.id}, which has no file`).toBe(true);
    if (present.has(id)) expect(answer.results[0]?.article.id, `${label}: ${question}`).toBe(id);
  }
  return library;
}

const fileQuestions = (numbers: number[]) => numbers.map((n) => ({ id: `bai-${String(n).padStart(2, '0')}`, question: generatedArticle(n, PADDING).question }));

async function writeArticles(dir: string, numbers: number[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const n of numbers) {
    await writeFile(path.join(dir, `bai-${String(n).padStart(2, '0')}.md`), articleMarkdown(generatedArticle(n, PADDING), `https://bao-thu.vn/bai-${n}.html`));
  }
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

beforeAll(async () => {
  server = await startWebServer();
  sourceDir = path.join(await tempDir('trichdan-crash-articles-'), 'articles');
  await writeArticles(sourceDir, range(0, ARTICLES));
});

afterAll(async () => {
  await server.close();
  if (phases.length) {
    const counts = new Map<Phase, number>();
    for (const p of phases) counts.set(p.phase, (counts.get(p.phase) ?? 0) + 1);
    process.stdout.write(`kill points (${phases.length} runs):\n${phases.map((p) => `  ${p.run}: ${p.phase} (${p.observed.elapsedMs} ms, ${p.observed.newFiles} files written, ${p.observed.indexedNew} indexed${p.observed.tmp.length ? `, temp files ${p.observed.tmp.join(' ')}` : ''}${p.observed.newSegments.length ? `, new ${p.observed.newSegments.join(' ')}` : ''})`).join('\n')}\n`);
    process.stdout.write(`by phase: ${[...counts].map(([k, v]) => `${k}: ${v}`).join('; ')}\n`);
  }
});

describe('kill -9 during `trichdan add <folder of 40 articles>`, then a restart', () => {
  const triggers: [string, (o: Observation) => boolean][] = [
    ['at 400 ms (start-up)', (o) => o.elapsedMs >= 400],
    ['once the lock file appears', (o) => o.lock],
    ['once the first article is copied', (o) => o.newFiles >= 1],
    ['once every article is copied (tokenising)', (o) => o.newFiles >= ARTICLES],
    ['once a temporary segment file appears', (o) => o.tmp.some((n) => n.startsWith('.seg-'))],
    ['once the new segment is renamed into place', (o) => o.newSegments.length > 0],
    ['once both segment files are in place (merges and manifest next)', (o) => o.newSegments.length >= 2],
    ['once the manifest has changed', (o) => o.manifestChanged],
  ];

  it.each(triggers.map(([name, when], i) => [name, when, i] as const))('killed %s: consistent after the restart, and the add re-run indexes each article once', async (name, when, i) => {
    const d = await freshDirs();
    const { phase, observed, result } = await killWhen(d, ['add', sourceDir], when, ARTICLES);
    phases.push({ run: name, phase, observed });
    if (phase === 'finished on its own') expect(result.code, result.stderr).toBe(0);

    // Every other run restarts through the CLI, the others in-process; both must repair the same way.
    if (i % 2 === 1) {
      const listed = await runCli(['list', '--json'], d.env);
      expect(listed.code, listed.stderr).toBe(0);
      const ids = (JSON.parse(listed.stdout) as { id: string }[]).map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const library = await expectConsistent(d, name, fileQuestions(range(0, ARTICLES)));
    if (i % 2 === 1) expect(library.current.actions, 'the CLI restart committed its repair').toEqual([]);

    // The user runs the add again: every article ends up indexed once, with its full text.
    const outcomes = await library.addPaths([sourceDir]);
    expect(outcomes).toHaveLength(ARTICLES);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toEqual([]);
    const again = await expectConsistent(d, `${name}, after the re-run`, fileQuestions(range(0, ARTICLES)));
    expect(again.list()).toHaveLength(5 + ARTICLES);
    for (const n of range(0, ARTICLES)) {
      const file = `bai-${String(n).padStart(2, '0')}.md`;
      expect(await readFile(path.join(d.corpusDir, file), 'utf8')).toBe(readFileSync(path.join(sourceDir, file), 'utf8'));
    }
  });

  it('some kills landed while the index was being written', () => {
    const midWrite = phases.filter((p) => p.phase === 'writing the index').length;
    expect(midWrite).toBeGreaterThanOrEqual(2);
  });
});

describe('kill -9 while a big article file is being copied into the corpus', () => {
  it('leaves no truncated article behind: after the restart the file is either absent or whole', async () => {
    const d = await freshDirs();
    const folder = path.join(d.root, 'big');
    await mkdir(folder);
    const text = articleMarkdown(generatedArticle(9, 25_000), 'https://bao-thu.vn/bai-rat-dai.html'); // about 7 MB
    await writeFile(path.join(folder, 'bai-rat-dai.md'), text);
    // Killed as soon as anything of the file shows in the corpus folder (the file itself or its temporary copy).
    const { phase, observed } = await killWhen(d, ['add', folder], () => readdirSync(d.corpusDir).some((n) => n.includes('bai-rat-dai')), 1);
    phases.push({ run: 'big file, as soon as it shows in the corpus', phase, observed });
    const seen = readdirSync(d.corpusDir).filter((n) => n.includes('bai-rat-dai'));
    expect(seen.length, 'the kill came after the copy').toBeGreaterThan(0);
    if (seen.includes('bai-rat-dai.md')) expect(statSync(path.join(d.corpusDir, 'bai-rat-dai.md')).size, 'a truncated article file is in the corpus').toBe(Buffer.byteLength(text));
    // What else is left is the hidden temporary copy, which is never read as an article.
    for (const name of seen.filter((n) => n !== 'bai-rat-dai.md')) expect(name).toMatch(/^\.bai-rat-dai\.md\.\d+\.[0-9a-f]+\.tmp$/u);
    const library = await expectConsistent(d, 'big file', []);
    expect(library.list().filter((a) => a.id === 'bai-rat-dai').every((a) => a.passages > 1000)).toBe(true);
  });
});

describe('kill -9 during `trichdan add <url> …` against a slow server, then a restart', () => {
  const urls = range(0, 6).map((i) => `/tin/cham-${i}.html`);
  beforeAll(() => {
    for (const [i, p] of urls.entries()) server.set(p, { body: articlePage(generatedArticle(200 + i, PADDING)), delayMs: 150 });
  });

  it.each([
    ['while the second article is being indexed', (o: Observation) => o.newFiles >= 2],
    ['once two articles are indexed (fetching the third)', (o: Observation) => o.indexedNew >= 2],
  ])('killed %s: consistent after the restart; adding the URLs again adds each once', async (name, when) => {
    const d = await freshDirs();
    const { phase, observed } = await killWhen(d, ['add', ...urls.map((p) => server.url(p))], when, null);
    phases.push({ run: `URLs, ${name}`, phase, observed });
    const questions = range(0, 6).map((i) => ({ id: '', question: generatedArticle(200 + i, PADDING).question }));
    const library = await expectConsistent(d, name, questions);
    expect(readdirSync(d.corpusDir).filter((n) => n.endsWith('.tmp')), 'temporary article files left in the corpus').toEqual([]);
    const before = library.list().filter((a) => a.url?.startsWith(server.url('/tin/'))).length;
    const outcomes = [];
    for (const p of urls) outcomes.push((await library.addUrl(server.url(p))).status);
    expect(outcomes.filter((s) => s === 'duplicate')).toHaveLength(before);
    expect(outcomes.filter((s) => s === 'added')).toHaveLength(urls.length - before);
    const again = await expectConsistent(d, `${name}, after the re-run`, questions);
    const byUrl = again.list().filter((a) => a.url?.startsWith(server.url('/tin/')));
    expect(byUrl.map((a) => a.url).sort()).toEqual(urls.map((p) => server.url(p)).sort());
  });
});

describe('two writers', () => {
  it('a `trichdan add` waits while another process holds the index lock, then succeeds', async () => {
    const d = await freshDirs();
    const folder = path.join(d.root, 'waiting');
    await writeArticles(folder, range(50, 5));
    const observe = observer(d);
    let run: ReturnType<typeof startCli> | undefined;
    await withIndexLock(d.indexDir, async () => {
      run = startCli(['add', folder], d.env);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // long enough for it to start and reach the lock
      const o = observe();
      expect(o.newFiles, 'it wrote while the lock was held').toBe(0);
      expect(o.manifestChanged).toBe(false);
      expect(run.child.exitCode).toBeNull();
    });
    const result = await run!.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').filter((l) => l.startsWith('added bai-'))).toHaveLength(5);
    await expectConsistent(d, 'after waiting', fileQuestions(range(50, 5)));
  });

  it('two `trichdan add` processes at once both succeed and every article is indexed once', async () => {
    const d = await freshDirs();
    const a = path.join(d.root, 'a');
    const b = path.join(d.root, 'b');
    await writeArticles(a, range(60, 15));
    await writeArticles(b, range(80, 15));
    const [ra, rb] = await Promise.all([runCli(['add', a], d.env), runCli(['add', b], d.env)]);
    for (const r of [ra, rb]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').filter((l) => /^added bai-\d+ {2}/u.test(l))).toHaveLength(15);
    }
    const library = await expectConsistent(d, 'two writers', fileQuestions([...range(60, 15), ...range(80, 15)]));
    expect(library.list()).toHaveLength(5 + 30);
    expect(library.current.actions).toEqual([]);
    const index = await runCli(['index'], d.env);
    expect(index.code, index.stderr).toBe(0);
    expect(index.stderr).toMatch(/index is up to date\n35 articles/u);
  });
});
