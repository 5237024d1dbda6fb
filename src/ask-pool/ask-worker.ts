/**
 * One worker thread of the ask pool ({@link AskPool}): its own model, lexicon and read-only
 * snapshot of the index the main thread committed, so `ask` (CPU-bound: query analysis, BM25,
 * re-rank, quote choice) runs off the main thread. It never writes the index: a change is made by
 * the main thread, which then tells every worker to read the new snapshot ('reload').
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AskOptions } from '../answer/types.ts';
import type { Config } from '../config.ts';
import { indexSettings, loadResources, RetrievalEngine } from '../engine.ts';
import { loadIndex } from '../index/build.ts';
import { snapshotKey, type ToMain, type ToWorker } from './messages.ts';

const port = parentPort!;
const { config } = workerData as { config: Config };
const send = (message: ToMain) => port.postMessage(message);

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

port.on('message', (message: ToWorker) => {
  if (message.kind === 'ask') void ask(message.id, message.question, message.options);
  else if (message.kind === 'reload') reload();
});
send({ kind: 'ready', snapshot: snapshotKey(engine.index.manifest) });
