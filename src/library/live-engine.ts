/**
 * The engine the bot and the digest hold: it answers from the newest committed index. A swap
 * replaces the snapshot for questions that start after it; a question in flight keeps the engine
 * it started on (its `ask` call was already made on that one), so it finishes on the old index.
 */
import type { Article } from '../corpus/article.ts';
import type { RetrievalEngine } from '../engine.ts';
import type { Engine, EngineStatus } from '../engine-types.ts';
import type { Chunk } from '../index/chunk-types.ts';
import type { Answer, AskOptions } from '../answer/types.ts';

export class LiveEngine implements Engine {
  constructor(private current: RetrievalEngine) {}

  /** The engine on the newest snapshot. */
  get snapshot(): RetrievalEngine {
    return this.current;
  }

  /** Answers from `next` from now on. */
  swap(next: RetrievalEngine): void {
    this.current = next;
  }

  ask(question: string, options?: AskOptions): Promise<Answer> {
    return this.current.ask(question, options);
  }

  articles(): readonly Article[] {
    return this.current.articles();
  }

  article(id: string): Article | undefined {
    return this.current.article(id);
  }

  chunk(id: string): Chunk | undefined {
    return this.current.chunk(id);
  }

  status(): EngineStatus {
    return this.current.status();
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
