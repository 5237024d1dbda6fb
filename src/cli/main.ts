import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createEngine } from '../engine.ts';
import { answerToJson, answerToText } from './render.ts';
import { runDoctor } from './doctor.ts';
import { describeError } from './errors.ts';

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

function logger(program: Command): (line: string) => void {
  return program.opts<GlobalOptions>().quiet ? () => {} : (line) => process.stderr.write(`${line}\n`);
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
  .action(async (opts: { quick?: boolean; shared: string }) => {
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

program
  .command('bench')
  .description('benchmarks: quality, latency, ingest, scale, cold start (writes docs/BENCHMARKS.md)')
  .option('--quick', 'a short smoke run')
  .allowUnknownOption()
  .allowExcessArguments() // bench reads its other flags itself (--model-dir DIR, --only …; see src/bench/main.ts)
  .action(async (opts: { quick?: boolean }) => {
    const { runBench } = await import('../bench/main.ts');
    await runBench(configFrom(program), opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`trichdan: ${describeError(error)}\n`);
  if (process.env.TRICHDAN_LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
