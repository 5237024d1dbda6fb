import type { Article } from '../corpus/article.ts';
import type { AnswerResult } from '../answer/types.ts';
import { escapeHtml, formatCitationHtml } from '../answer/citation.ts';
import { splitHtml } from '../bot/split.ts';
import type { Engine } from '../engine-types.ts';
import type { DigestStore, Subscriber } from './store.ts';
import type { Language } from '../text/language.ts';
import { topicKey } from './store.ts';
import { digestStrings } from './strings.ts';
import { leadSummary } from './summary.ts';
import { clipText } from '../text/clip.ts';
import { systemClock, type Clock } from './clock.ts';

/** How long an article registered by another replica may be missing here before it is taken as gone. */
const CATCH_UP_MS = 10 * 60_000;

/** A digest ready to send. */
export interface ComposedDigest {
  /** Telegram HTML messages, each within 4096 characters, split between paragraphs. */
  parts: string[];
  /** Nothing new since the previous digest (the chat's `sendEmpty` decides whether it is sent). */
  empty: boolean;
  /** Article registry position this digest covers: the chat's cursor moves here once it is sent. */
  throughSeq: number;
  /** The articles listed, newest first. */
  articleIds: string[];
}

/** Options of {@link DigestComposer}; every one has a default. */
export interface DigestComposerOptions {
  /** Most articles listed in one digest; the rest are counted ("… and 3 more"). Default 10. */
  maxArticles?: number;
  /** Articles shown by /digest and by a chat's first digest. Default 5. */
  latestCount?: number;
  /** Longest lead summary, in characters. Default 320. */
  summaryChars?: number;
  /** Longest topic excerpt before it is cut at a word (with "…"). Default 700. */
  quoteChars?: number;
  /** The clock the store stamps articles with (how long ago one was registered). Default: the system clock. */
  clock?: Clock;
}

/**
 * Writes digests: the articles new to a chat (title, date, source link, and a one- or
 * two-sentence lead quoted verbatim), then for each followed topic the best excerpt among
 * those new articles, as cited quotes. Output is Telegram HTML with every corpus and user
 * string escaped, split into messages within Telegram's limit.
 *
 * Answers and summaries are cached until {@link resetCache}, so a broadcast to many chats
 * with the same topics asks the engine once per topic.
 */
export class DigestComposer {
  private engine: Engine;
  private readonly maxArticles: number;
  private readonly latestCount: number;
  private readonly summaryChars: number;
  private readonly quoteChars: number;
  private readonly clock: Clock;
  private readonly answers = new Map<string, Promise<AnswerResult | null>>();
  private readonly blocks = new Map<string, string>();

  constructor(
    engine: Engine,
    private readonly store: DigestStore,
    options: DigestComposerOptions = {},
  ) {
    this.engine = engine;
    this.maxArticles = options.maxArticles ?? 10;
    this.latestCount = options.latestCount ?? 5;
    this.summaryChars = options.summaryChars ?? 320;
    this.quoteChars = options.quoteChars ?? 700;
    this.clock = options.clock ?? systemClock;
  }

  /** Uses another engine from now on (after the corpus was re-indexed). */
  setEngine(engine: Engine): void {
    this.engine = engine;
    this.resetCache();
  }

  /** Forgets cached answers and article blocks (call once per broadcast). */
  resetCache(): void {
    this.answers.clear();
    this.blocks.clear();
  }

  /**
   * The scheduled digest for a chat: the articles registered after its cursor (or, for its
   * first digest, the latest articles), newest first, then its topics.
   */
  async scheduled(sub: Subscriber, slotKey: string, topics: readonly string[]): Promise<ComposedDigest> {
    const t = digestStrings(sub.language);
    let throughSeq = await this.store.maxSeq();
    let articles: Article[];
    let intro: string;
    let more = 0;
    if (sub.seenSeq === null) {
      articles = this.engine.articles().slice(0, this.latestCount);
      intro = t.firstDigest;
    } else {
      const registered = await this.store.articlesAfter(sub.seenSeq, throughSeq);
      // Another replica may have registered an article this one has not indexed yet (it follows
      // within seconds): the digest stops before it, so it is announced next time, not skipped.
      const now = this.clock.now().getTime();
      const pending = registered.find((r) => !this.engine.article(r.articleId) && now - r.firstSeenAt.getTime() < CATCH_UP_MS);
      if (pending) throughSeq = pending.seq - 1;
      const fresh = this.newestFirst(
        registered
          .filter((r) => r.seq <= throughSeq)
          .map((r) => this.engine.article(r.articleId))
          .filter((a): a is Article => a !== undefined),
      );
      more = Math.max(0, fresh.length - this.maxArticles);
      articles = fresh.slice(0, this.maxArticles);
      intro = t.newCount(fresh.length);
    }
    const empty = articles.length === 0;
    const blocks = [`${t.digestTitle(slotKey)}\n${empty ? t.nothingNew : intro}`];
    if (!empty) {
      blocks.push(...this.articleBlocks(articles));
      if (more > 0) blocks.push(t.moreArticles(more));
      blocks.push(...(await this.topicBlocks(topics, articles, sub.language)));
    }
    blocks.push(t.footer);
    return { parts: splitHtml(blocks.join('\n\n')), empty, throughSeq, articleIds: articles.map((a) => a.id) };
  }

  /** What /digest shows: the latest articles and the chat's topics among them. Does not move any cursor. */
  async latest(language: Language, topics: readonly string[]): Promise<string[]> {
    const t = digestStrings(language);
    const articles = this.engine.articles().slice(0, this.latestCount);
    if (articles.length === 0) return [t.noArticles];
    const blocks = [t.latestTitle, ...this.articleBlocks(articles)];
    blocks.push(...(await this.topicBlocks(topics, articles, language)));
    return splitHtml(blocks.join('\n\n'));
  }

  /** Orders articles the way the engine does (newest first by date, then id). */
  private newestFirst(articles: Article[]): Article[] {
    const rank = new Map(this.engine.articles().map((a, i) => [a.id, i]));
    return articles.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  }

  private articleBlocks(articles: readonly Article[]): string[] {
    return articles.map((a, i) => {
      const key = `${i}|${a.id}|${a.contentHash}`;
      let block = this.blocks.get(key);
      if (block === undefined) {
        const summary = leadSummary(a, this.summaryChars);
        block = `<b>${i + 1}.</b> ${formatCitationHtml(a)}`;
        if (summary) block += `\n<blockquote>${escapeHtml(summary.text)}${summary.truncated ? '…' : ''}</blockquote>`;
        this.blocks.set(key, block);
      }
      return block;
    });
  }

  /** The best excerpt about a topic among `articleIds` (cached per topic and article set). */
  private bestExcerpt(topic: string, articleIds: readonly string[]): Promise<AnswerResult | null> {
    const key = `${topicKey(topic)}|${articleIds.join(',')}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.engine
        .ask(topic, { articleIds: [...articleIds], topK: 1 })
        .then((a) => (a.answered && a.results.length > 0 ? a.results[0] : null));
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }

  private async topicBlocks(topics: readonly string[], articles: readonly Article[], language: Language): Promise<string[]> {
    if (topics.length === 0 || articles.length === 0) return [];
    const t = digestStrings(language);
    const ids = articles.map((a) => a.id);
    const found = await Promise.all(topics.map((topic) => this.bestExcerpt(topic, ids)));
    const blocks: string[] = [t.topicsHeader];
    const missing: string[] = [];
    topics.forEach((topic, i) => {
      const r = found[i];
      if (!r) {
        missing.push(topic);
        return;
      }
      const quote = clipText(r.quote, this.quoteChars);
      const open = quote.length > 300 ? '<blockquote expandable>' : '<blockquote>';
      blocks.push(`<b>${escapeHtml(topic)}</b>\n${open}${escapeHtml(quote)}</blockquote>\n— ${formatCitationHtml(r.article)}`);
    });
    if (missing.length > 0) blocks.push(t.topicsNoMatch(missing));
    return blocks;
  }
}
