/** Question → weighted query terms (language detection and English translation live in english-query.ts). */
export { analyzeQuestion } from './english-query.ts';
