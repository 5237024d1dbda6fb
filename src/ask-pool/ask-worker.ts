/**
 * One worker process of the ask pool (src/ask-pool/ask-pool.ts): its own model, lexicon and read-only
 * snapshot of the index the main thread committed, so `ask` (CPU-bound: query analysis, BM25,
 * re-rank, quote choice) runs off the main thread. It never writes the index: a change is made by
 * the bot's process, which then tells every worker to read the new snapshot ('reload'). The
 * worker ends when that process does (its channel closes).
 */
import type { AskOptions } from '../answer/types.ts';
import type { Config } from '../config.ts';
import { indexSettings, loadResources, RetrievalEngine } from '../engine.ts';
import { loadIndex } from '../index/build.ts';
import { snapshotKey, type ToMain, type ToWorker } from './messages.ts';

const config = JSON.parse(process.env.TRICHDAN_ASK_WORKER_CONFIG ?? 'null') as Config;
const send = (message: ToMain) => process.send?.(message);
// The bot's process is gone (or stopped us): nothing more to answer.
process.on('disconnect', () => process.exit(0));

const resources = await loadResources(config, { log: () => {}, progress: false });

async function open(): Promise<RetrievalEngine> {
  const loaded = await loadIndex(indexSettings(resources, false));
  if (!('index' in loaded)) throw new Error(`the index cannot be read (${loaded.reason})`);
  return new RetrievalEngine(resources, loaded.index);
}

let engine = await open();
/** Reloads asked for while one runs collapse into one more. */
let reloading: Promise<void> | null = null;
let again = false;

function reload(): void {
  if (reloading) {
    again = true;
    return;
  }
  reloading = (async () => {
    do {
      again = false;
      try {
        engine = await open();
        send({ kind: 'reloaded', snapshot: snapshotKey(engine.index.manifest) });
      } catch (error) {
        // The old snapshot keeps answering; the next change reloads again.
        send({ kind: 'reload-failed', error: (error as Error).message });
      }
    } while (again);
    reloading = null;
  })();
}

async function ask(id: number, question: string, options: AskOptions | undefined): Promise<void> {
  try {
    send({ kind: 'answer', id, answer: await engine.ask(question, options) });
  } catch (error) {
    send({ kind: 'error', id, error: (error as Error).message });
  }
}

process.on('message', (message: ToWorker) => {
  if (message.kind === 'ask') void ask(message.id, message.question, message.options);
  else if (message.kind === 'reload') reload();
});
send({ kind: 'ready', snapshot: snapshotKey(engine.index.manifest) });
