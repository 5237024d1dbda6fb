import type { AnalyzedQuery } from './query-types.ts';
import { analyzeEnglish, type EnglishQueryOptions } from './english-query.ts';
import type { Lexicon } from './lexicon.ts';
import { analyzeVietnamese } from './vietnamese-query.ts';
import { detectLanguage } from '../text/language.ts';

/**
 * Analyses a question in whichever language it is written ({@link detectLanguage}).
 * Pass the lexical index as `options.vocabulary` so English words spend their budget
 * only on translations the corpus contains.
 */
export function analyzeQuestion(question: string, lexicon: Lexicon | null, options: EnglishQueryOptions = {}): AnalyzedQuery {
  return detectLanguage(question) === 'en' ? analyzeEnglish(question, lexicon, options) : analyzeVietnamese(question, options.vocabulary ?? null);
}
