import type { AddOutcome, ArticleInfo } from '../library/types.ts';
import type { Answer, InputProblem } from '../answer/types.ts';
import { formatCitationText } from '../answer/citation.ts';
import type { Article } from '../corpus/article.ts';
import type { Language } from '../text/language.ts';

/** The JSON contract of `ask --json`: one object per question. */
export function answerToJson(answer: Answer): object {
  const json: Record<string, unknown> = {
    answered: answer.answered,
    results: answer.results.map((r) => ({
      article: r.article,
      quote: r.quote,
      // A quote of two excerpts joined by " … ": each, verbatim, so a script can check them against the passage.
      ...(r.excerpts ? { excerpts: r.excerpts } : {}),
      passage: r.passage,
      score: r.score,
    })),
  };
  if (answer.inputProblem) json.problem = inputProblemMessage(answer.inputProblem, answer.language);
  return json;
}

/** What to tell a user whose question cannot be asked as typed. */
export function inputProblemMessage(problem: InputProblem, language: Language): string {
  const messages: Record<InputProblem, [vi: string, en: string]> = {
    empty: ['Câu hỏi trống: hãy gõ một câu hỏi, ví dụ "Mỹ hỗ trợ bao nhiêu tiền cho dự án Biên Hòa?"', 'The question is empty: type a question, e.g. "How much did the US give for the Bien Hoa project?"'],
    too_long: ['Câu hỏi quá dài: hãy hỏi ngắn gọn hơn (tối đa vài câu).', 'The question is too long: please ask in a sentence or two.'],
    no_words: ['Câu hỏi không có chữ nào để tìm: hãy gõ bằng chữ.', 'The question has no words to search for: please type it in words.'],
  };
  return messages[problem][language === 'en' ? 1 : 0];
}

/** The quote with its answering words in bold (ANSI), or as it is. */
function markedQuote(r: Answer['results'][number], bold: boolean): string {
  if (!bold || !r.highlights?.length) return r.quote;
  let out = '';
  let at = 0;
  for (const [start, end] of r.highlights) {
    out += `${r.quote.slice(at, start)}\x1b[1m${r.quote.slice(start, end)}\x1b[22m`;
    at = end;
  }
  return out + r.quote.slice(at);
}

/** Human-readable answer for the terminal; `bold` marks the words that answer (by default on a terminal without NO_COLOR). */
export function answerToText(
  answer: Answer,
  articles: readonly Article[],
  options: { bold?: boolean } = { bold: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR },
): string {
  const en = answer.language === 'en';
  if (answer.inputProblem) return inputProblemMessage(answer.inputProblem, answer.language);
  if (!answer.answered) {
    const head = en
      ? 'The corpus does not answer this question. It covers:'
      : 'Kho bài viết không có câu trả lời cho câu hỏi này. Các bài hiện có:';
    return [head, ...articles.map((a) => `  • ${formatCitationText({ ...a })}`)].join('\n');
  }
  const lines: string[] = [];
  if (en && answer.matchedTerms.length) lines.push(`(matched by: ${answer.matchedTerms.slice(0, 8).join(', ')})`, '');
  answer.results.forEach((r, i) => {
    lines.push(`[${i + 1}] “${markedQuote(r, Boolean(options.bold))}”`);
    lines.push(`    — ${formatCitationText(r.article)}`);
    lines.push('');
  });
  if (answer.retrieval === 'lexical') lines.push(en ? '(lexical retrieval: no embedding model loaded)' : '(tìm kiếm theo từ khóa: chưa có mô hình embedding)');
  return lines.join('\n').trimEnd();
}

/** One line per added file or URL: what happened, the id, the title, the passages. */
export function outcomeLine(outcome: AddOutcome): string {
  const a = outcome.article;
  const what = { added: 'added', updated: 'updated', duplicate: 'already in the corpus as', unchanged: 'unchanged' }[outcome.status];
  return `${what} ${a.id}  ${a.title}${a.date ? ` (${a.date})` : ''}, ${a.passages} passage${a.passages === 1 ? '' : 's'}`;
}

/** `trichdan list`: one article per block (titles are long), oldest addition first. */
export function articleTable(articles: readonly ArticleInfo[]): string {
  if (!articles.length) return 'no articles';
  const lines = articles.map((a) =>
    [`${a.id}  ${a.date ?? 'undated'}  ${a.source ?? '(no source)'}  added ${a.addedAt.slice(0, 16).replace('T', ' ')} UTC  ${a.passages} passages`, `  ${a.title}`, ...(a.url ? [`  ${a.url}`] : [])].join('\n'),
  );
  return `${lines.join('\n')}\n${articles.length} article${articles.length === 1 ? '' : 's'}`;
}
