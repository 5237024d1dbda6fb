/**
 * The command line of `npm run bench`, parsed by commander: which sections to run, which
 * model, where the evaluation sets are, where the report goes.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

/** The benchmark sections, in the order they run. */
export const SECTIONS = ['quality', 'latency', 'ingest', 'cold', 'scale'] as const;
/** Sections run only when named with `--only` (not by a full run): `live` is bench/live-ingest.ts. */
export const EXTRA_SECTIONS = ['live'] as const;
export type Section = (typeof SECTIONS)[number] | (typeof EXTRA_SECTIONS)[number];

const ALL_SECTIONS: readonly string[] = [...SECTIONS, ...EXTRA_SECTIONS];

/** What one run of `npm run bench` was asked to do. */
export interface BenchFlags {
  quick: boolean;
  shared: string;
  modelDir?: string;
  tiny: boolean;
  only: Section[];
  out?: string;
  budgetMinutes: number;
  /** Render the report of a saved run (docs/bench-raw/*.json) instead of measuring. */
  render?: string;
  /** Corpus and index directories instead of TRICHDAN_CORPUS_DIR / TRICHDAN_INDEX_DIR. */
  corpus?: string;
  index?: string;
}

function sectionList(value: string): Section[] {
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((s) => !ALL_SECTIONS.includes(s));
  if (unknown.length) throw new InvalidArgumentError(`unknown section ${unknown.join(', ')} (sections: ${ALL_SECTIONS.join(', ')})`);
  return names as Section[];
}

function minutes(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('a number of minutes above 0');
  return n;
}

/** The `bench` command; `run` receives the parsed flags. */
export function benchCommand(run: (flags: BenchFlags) => Promise<void>): Command {
  return new Command('bench')
    .description(
      'benchmarks: retrieval quality against MiniSearch, Orama and exact search, warm ask latency, ingest throughput, ' +
        'HNSW at scale, cold start; prints the tables and saves the raw JSON under docs/bench-raw/',
    )
    .option('--quick', 'a short smoke run (small samples; writes docs/bench-raw/quick.md)')
    .option('--tiny', 'use the generated tiny test model even when the configured model is present')
    .option('--model-dir <dir>', 'the directory that holds Xenova/multilingual-e5-small/')
    .option('--shared <dir>', 'where the evaluation sets are', '../shared')
    .addOption(
      new Option('--only <sections>', `comma-separated sections to run (${ALL_SECTIONS.join(', ')}; live only when named)`)
        .argParser(sectionList)
        .default([...SECTIONS], SECTIONS.join(',')),
    )
    .addOption(new Option('--budget <minutes>', 'time budget of the scale section (full run: 1M vectors only if they fit)').argParser(minutes).default(24))
    .option('--out <file>', 'where the tables go (default: docs/bench-results.md for a full run, docs/bench-raw/ otherwise)')
    .option('--render <run.json>', 'render the tables of a saved run (docs/bench-raw/RUN.json) without measuring')
    .option('--corpus <dir>', 'corpus directory (default: TRICHDAN_CORPUS_DIR or ./corpus)')
    .option('--index <dir>', 'index directory (default: TRICHDAN_INDEX_DIR or ./embeddings)')
    .showHelpAfterError()
    .action(async (opts: Omit<BenchFlags, 'budgetMinutes' | 'quick' | 'tiny'> & { budget: number; quick?: true; tiny?: true }) => {
      const { budget, quick, tiny, ...rest } = opts;
      await run({ ...rest, quick: quick ?? false, tiny: tiny ?? false, budgetMinutes: budget });
    });
}

/** The flags of a command line (arguments after `npm run bench --`), or a commander error. */
export async function parseBenchFlags(args: readonly string[]): Promise<BenchFlags> {
  let parsed: BenchFlags | undefined;
  const command = benchCommand(async (flags) => {
    parsed = flags;
  })
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await command.parseAsync([...args], { from: 'user' });
  return parsed!;
}
