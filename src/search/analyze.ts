import type { AnalyzedQuery, CorpusStatistics } from './query-types.ts';
import { analyzeEnglish, type EnglishQueryOptions } from './english-query.ts';
import type { Lexicon } from './lexicon.ts';
import { expectedAnswerType } from './answer-type.ts';
import { analyzeVietnamese } from './vietnamese-query.ts';
import { detectLanguage } from '../text/language.ts';

/** Options of {@link analyzeQuestion}: the English ones, with the corpus statistics both languages use. */
export interface AnalyzeOptions extends EnglishQueryOptions {
  vocabulary?: CorpusStatistics | null;
}

/**
 * Analyses a question in whichever language it is written ({@link detectLanguage}).
 * Pass the lexical index as `options.vocabulary`: English words then spend their budget
 * only on translations the corpus contains, and Vietnamese syllables are grouped into words.
 */
export function analyzeQuestion(question: string, lexicon: Lexicon | null, options: AnalyzeOptions = {}): AnalyzedQuery {
  const query =
    detectLanguage(question) === 'en'
      ? analyzeEnglish(question, lexicon, options)
      : analyzeVietnamese(question, options.vocabulary ?? null);
  return { ...query, answerType: expectedAnswerType(question, query.language) };
}
