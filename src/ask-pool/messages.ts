/** What the main thread and an ask worker say to each other (structured-cloned plain data). */
import type { Answer, AskOptions } from '../answer/types.ts';
import type { Manifest } from '../index/manifest.ts';

/** Which committed snapshot of the index an engine answers from: its whole manifest (written last by every change). */
export const snapshotKey = (manifest: Manifest): string => JSON.stringify(manifest);

export type ToWorker = { kind: 'ask'; id: number; question: string; options?: AskOptions } | { kind: 'reload' };

export type ToMain =
  | { kind: 'ready'; snapshot: string }
  | { kind: 'answer'; id: number; answer: Answer }
  | { kind: 'error'; id: number; error: string }
  | { kind: 'reloaded'; snapshot: string }
  | { kind: 'reload-failed'; error: string };
