/**
 * `npm run bench` (= `node --import tsx bench/main.ts`): the benchmarks, outside the product.
 * `npm run bench -- --help` lists the options; `npm run bench -- --quick` is the smoke run.
 */
import { loadConfig } from '../src/config.ts';
import { benchCommand } from './cli.ts';
import { runBench } from './run.ts';

const command = benchCommand(async (flags) => {
  const env = { ...process.env };
  if (flags.corpus) env.TRICHDAN_CORPUS_DIR = flags.corpus;
  if (flags.index) env.TRICHDAN_INDEX_DIR = flags.index;
  await runBench(loadConfig(env), flags);
});

try {
  await command.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
