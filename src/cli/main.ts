import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createEngine } from '../engine.ts';
import type { AddOutcome } from '../library/types.ts';
import { answerToJson, answerToText, articleTable, outcomeLine } from './render.ts';
import { runDoctor } from './doctor.ts';
import { messageForUser, type PathSettings } from './errors.ts';

interface GlobalOptions {
  corpus?: string;
  index?: string;
  quiet?: boolean;
}

/** Settings from the environment, with `--corpus` / `--index` applied on top. */
function configFrom(program: Command): Config {
  const opts = program.opts<GlobalOptions>();
  const env = { ...process.env };
  if (opts.corpus) env.TRICHDAN_CORPUS_DIR = opts.corpus;
  if (opts.index) env.TRICHDAN_INDEX_DIR = opts.index;
  return loadConfig(env);
}

/** The paths of the settings, for naming them in an error (none when the settings themselves are wrong). */
function pathSettings(): PathSettings {
  try {
    const config = configFrom(program);
    return { indexDir: config.indexDir, dbPath: config.dbPath, corpusDir: config.corpusDir };
  } catch {
    return {};
  }
}

function logger(program: Command): (line: string) => void {
  return program.opts<GlobalOptions>().quiet ? () => {} : (line) => process.stderr.write(`${line}\n`);
}

/** The live corpus for the commands that change or list it (loaded only by them). */
async function openLibrary(config: Config = configFrom(program)) {
  const { CorpusLibrary } = await import('../library/library.ts');
  return CorpusLibrary.open(config, { log: logger(program) });
}

const program = new Command()
  .name('trichdan')
  .description('Answers questions about a news corpus with quoted, verifiable citations.')
  .option('--corpus <dir>', 'corpus directory (default: TRICHDAN_CORPUS_DIR or ./corpus)')
  .option('--index <dir>', 'index directory (default: TRICHDAN_INDEX_DIR or ./embeddings)')
  .option('-q, --quiet', 'no start-up lines on stderr')
  .showHelpAfterError();

program
  .command('index')
  .description('build or refresh the index (only what changed is redone)')
  .option('--force', 'rebuild everything')
  .action(async (opts: { force?: boolean }) => {
    const config = configFrom(program);
    const log = logger(program);
    const engine = await createEngine(config, { log, forceRebuild: opts.force });
    const s = engine.status();
    if (!engine.index.actions.length) log('index is up to date');
    log(`${s.articleCount} articles, ${s.chunkCount} passages, ${s.retrieval} retrieval, in ${s.indexDir}`);
  });

program
  .command('ask')
  .description('answer a question with cited quotes; with --json and no question, reads one question per line from stdin')
  .argument('[question...]', 'the question')
  .option('--json', 'print one JSON object per question')
  .addOption(new Option('-k, --top-k <n>', 'number of results').argParser((v) => Number.parseInt(v, 10)))
  .action(async (words: string[], opts: { json?: boolean; topK?: number }) => {
    const config = configFrom(program);
    if (opts.topK !== undefined && !(opts.topK >= 1 && opts.topK <= 50)) throw new ConfigError('--top-k must be a number from 1 to 50');
    if (words.length === 0 && !opts.json)
      throw new ConfigError('ask needs a question, e.g. trichdan ask "Mỹ hỗ trợ bao nhiêu cho dự án Biên Hòa?" (or --json to read questions from stdin)');
    const engine = await createEngine(config, { log: logger(program) });
    const ask = (q: string) => engine.ask(q, { topK: opts.topK });
    if (words.length > 0) {
      const answer = await ask(words.join(' '));
      process.stdout.write(opts.json ? `${JSON.stringify(answerToJson(answer))}\n` : `${answerToText(answer, engine.articles())}\n`);
      return;
    }
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      process.stdout.write(`${JSON.stringify(answerToJson(await ask(line)))}\n`);
    }
  });

/** A target of `add` that is a web address rather than a path. */
const isUrlLike = (target: string) => /^[a-z][a-z0-9+.-]*:\/\//iu.test(target);

program
  .command('add')
  .description('add articles from files, folders (their .txt/.md files) or web addresses, and index them')
  .argument('<targets...>', 'files, folders or URLs')
  .action(async (targets: string[]) => {
    const library = await openLibrary();
    const paths = targets.filter((t) => !isUrlLike(t));
    let failed = 0;
    const report = (outcome: AddOutcome) => process.stdout.write(`${outcomeLine(outcome)}\n`);
    const fail = (target: string, error: unknown) => {
      failed++;
      process.stderr.write(`trichdan: ${target}: ${messageForUser(error, pathSettings())}\n`);
    };
    if (paths.length) await library.addPaths(paths).then((outcomes) => outcomes.forEach(report), (error: unknown) => fail('add', error));
    for (const url of targets.filter(isUrlLike)) await library.addUrl(url).then(report, (error: unknown) => fail(url, error));
    if (failed) process.exitCode = 1;
  });

program
  .command('remove')
  .description('remove an article (by id or URL) from the corpus and the index')
  .argument('<article>', 'article id (see trichdan list) or its URL')
  .action(async (target: string) => {
    const library = await openLibrary();
    const removed = await library.remove(target);
    if (!removed) throw new ConfigError(`no article with id or URL ${JSON.stringify(target.slice(0, 200))}: see trichdan list`);
    process.stdout.write(`removed ${removed.id}  ${removed.title}\n`);
  });

program
  .command('list')
  .description('list the articles: id, date, source, title, URL, when added')
  .option('--json', 'one JSON array')
  .action(async (opts: { json?: boolean }) => {
    const library = await openLibrary();
    const articles = library.list().sort((a, b) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : a.id < b.id ? -1 : 1));
    process.stdout.write(opts.json ? `${JSON.stringify(articles, null, 2)}\n` : `${articleTable(articles)}\n`);
  });

program
  .command('feeds')
  .description('show the feeds (TRICHDAN_FEEDS) and their state; --once polls the due ones (for cron)')
  .option('--once', 'poll every feed that is due, add its new articles, then exit')
  .option('--force', 'with --once: poll every feed, due or not')
  .action(async (opts: { once?: boolean; force?: boolean }) => {
    const config = configFrom(program);
    if (!config.ingest.feeds.length) throw new ConfigError('no feeds configured: set TRICHDAN_FEEDS to RSS or Atom URLs, separated by commas');
    const { connectFeeds } = await import('../library/feeds.ts');
    const { openSqlClient } = await import('../db/open.ts');
    const database = await openSqlClient(config);
    const library = await openLibrary(config);
    const feeds = connectFeeds(config, library, logger(program), database);
    try {
      await feeds.loaded;
      if (opts.once) {
        for (const r of await feeds.poller.pollOnce({ force: opts.force })) {
          process.stdout.write(`${r.url}: ${r.status}${r.error ? ` (${r.error})` : ''}, ${r.newItems} new, ${r.added} added, ${r.duplicates} already there, ${r.failed} failed${r.skipped ? `, ${r.skipped} older skipped` : ''}\n`);
        }
      }
      for (const f of library.stats().feeds) {
        process.stdout.write(`${f.url}\n  last: ${f.lastStatus}${f.lastPolledAt ? ` at ${f.lastPolledAt}` : ''}${f.lastError ? ` (${f.lastError})` : ''}; ${f.itemsAdded} added in all; next poll ${f.nextPollAt ?? 'now'}\n`);
      }
    } finally {
      await feeds.close();
      await database.close();
    }
  });

program
  .command('doctor')
  .description('report model, index, corpus, lexicon and settings')
  .action(async () => {
    process.stdout.write(`${await runDoctor(configFrom(program))}\n`);
  });

program
  .command('eval')
  .description('answer recall on the dev questions and XQuAD-vi (needs ../shared)')
  .option('--quick', 'a sample of XQuAD-vi questions')
  .option('--shared <dir>', 'where the evaluation sets are', '../shared')
  .option('--tune-folds <list>', 'folds changes are tuned on (the others are held out), e.g. 0,1')
  .action(async (opts: { quick?: boolean; shared: string; tuneFolds?: string }) => {
    const { runEval } = await import('./eval.ts');
    await runEval(configFrom(program), opts);
  });

program
  .command('bot')
  .description('run the Telegram bot with daily digests (needs TELEGRAM_BOT_TOKEN)')
  .action(async () => {
    const { runBot } = await import('./bot-command.ts');
    const { digestExtensions } = await import('../digest/extension.ts');
    await runBot(configFrom(program), { extensions: digestExtensions });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`trichdan: ${messageForUser(error, pathSettings())}\n`);
  if (process.env.TRICHDAN_LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
