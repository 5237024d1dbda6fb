import type { Article } from './corpus/article.ts';
import type { Chunk } from './index/chunk-types.ts';
import type { Answer, AskOptions } from './answer/types.ts';

/** What the model and index look like right now (for `doctor`, start-up lines, the bot's /sources). */
export interface EngineStatus {
  retrieval: 'hybrid' | 'lexical';
  modelId: string;
  /** Why the dense side is off, when it is. */
  modelProblem: string | null;
  articleCount: number;
  chunkCount: number;
  indexDir: string;
  corpusDir: string;
  lexiconLoaded: boolean;
  lexiconProblem: string | null;
  /** Last change to the index (add, remove, refresh), ISO instant. */
  lastIngestAt?: string | null;
}

/**
 * The retrieval core as the bot, the digest and the CLI see it.
 * Loaded once (model + index), then asked many questions.
 */
export interface Engine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** Articles in the corpus, newest first (by date, then id). */
  articles(): readonly Article[];
  article(id: string): Article | undefined;
  chunk(id: string): Chunk | undefined;
  status(): EngineStatus;
  close(): Promise<void>;
}

/** Options for creating an engine (`createEngine(config, options)` in src/engine.ts). */
export interface EngineOptions {
  /** Where start-up lines go ("lexical-only: model not found…", "index rebuilt…"). Default: stderr. */
  log?: (line: string) => void;
  /** Show progress bars while (re)building (only rendered on a TTY). Default true. */
  progress?: boolean;
}
