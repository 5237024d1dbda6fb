/** What the main thread and an ask worker say to each other (structured-cloned plain data). */
import type { Answer, AskOptions } from '../answer/types.ts';
import type { Manifest } from '../index/manifest.ts';

const snapshotKeys = new WeakMap<Manifest, string>();

/**
 * Which committed snapshot of the index an engine answers from: its whole manifest (written last
 * by every change). Asked for every question, so kept per manifest object: a committed manifest
 * is never changed in place (an update works on a copy).
 */
export function snapshotKey(manifest: Manifest): string {
  let key = snapshotKeys.get(manifest);
  if (key === undefined) snapshotKeys.set(manifest, (key = JSON.stringify(manifest)));
  return key;
}

export type ToWorker = { kind: 'ask'; id: number; question: string; options?: AskOptions } | { kind: 'reload' };

export type ToMain =
  | { kind: 'ready'; snapshot: string }
  | { kind: 'answer'; id: number; answer: Answer }
  | { kind: 'error'; id: number; error: string }
  | { kind: 'reloaded'; snapshot: string }
  | { kind: 'reload-failed'; error: string };
