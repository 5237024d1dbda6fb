import type { Language } from '../text/language.ts';

/** Where a quote comes from: the same shape in the bot, the digest, the CLI and `--json`. */
export interface Citation {
  id: string;
  title: string;
  date: string | null;
  source: string | null;
  url: string | null;
}

/** One cited answer: a verbatim quote and the passage around it. */
export interface AnswerResult {
  article: Citation;
  /**
   * The sentence(s) that answer, verbatim from the cleaned article text: one excerpt, or two
   * excerpts of the passage joined by " … " (the mark of words left out; see `excerpts`).
   */
  quote: string;
  /** The retrieved passage (verbatim) that contains the quote. */
  passage: string;
  /** Relevance score of the passage (higher is better; comparable within one answer). */
  score: number;
  chunkId: string;
  /** Offsets of the quote in the cleaned article text (from the first excerpt's start to the last one's end). */
  quoteStart: number;
  quoteEnd: number;
  /** When the quote joins two excerpts: each, verbatim, in text order. */
  excerpts?: string[];
  /** Spans of the quote (offsets into `quote`) holding what the question asks for (the number, the date, the name), to show in bold. */
  highlights?: [start: number, end: number][];
}

/** The one answer data structure; every interface renders this. */
export interface Answer {
  question: string;
  answered: boolean;
  language: Language;
  /** Empty when not answered. */
  results: AnswerResult[];
  /** For English questions: the Vietnamese terms the question was matched by. */
  matchedTerms: string[];
  /** `hybrid` when the dense model was used, `lexical` otherwise. */
  retrieval: 'hybrid' | 'lexical';
  /** Why a question could not be answered because of the input (empty, too long, no words). */
  inputProblem?: InputProblem;
}

export type InputProblem = 'empty' | 'too_long' | 'no_words';

export interface AskOptions {
  /** Number of results to return (default: config topK). */
  topK?: number;
  /** Skip this many results ("more results"). */
  offset?: number;
  /** Only consider these articles (digest topics: new articles only). */
  articleIds?: string[];
  /**
   * The question this one follows up ("còn Nga thì sao?" after a question about Mỹ): its words
   * are searched too, weighted lower than the question's own (src/search/context.ts).
   */
  context?: string;
}
