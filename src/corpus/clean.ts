/**
 * From the raw text of one article file to its title, metadata and clean body.
 *
 * The text is first normalised: UTF-8 BOM dropped, CRLF/CR → LF, Unicode NFC,
 * no-break and other odd spaces → a plain space, zero-width characters, soft
 * hyphens and control characters removed, runs of spaces collapsed.
 *
 * Paragraphs are blocks separated by blank lines; inside a block, lines are
 * soft wraps joined with one space. A file with no blank line at all has one
 * paragraph per line. Lines that are boilerplate or metadata on their own
 * (below), Markdown headings (`# `, marker removed) and list items always
 * stand as their own paragraph.
 *
 * Then every paragraph is either metadata (set aside, see `metadata.ts`),
 * boilerplate (dropped) or body. The rules, in the order they apply:
 *
 * 1. `front-matter`: a `---` … `---` block at the top of a Markdown file
 *    (title, date, source, url keys).
 * 2. `date-header`: ` date YYYY-MM(-DD) ` opening the file; the rest of that
 *    line stays as the first paragraph.
 * 3. Metadata paragraphs: `timestamp` ("09:08 - 14/08/2024"), `source-line`
 *    ("Nguồn Tiền Phong: https://…"), `link-line` (only a URL).
 * 4. `print-share`: the whole paragraph is page furniture: "In bài viết",
 *    "Chia sẻ", "Lưu", "Bình luận", "Xem thêm", "Tin liên quan", "Theo dõi …
 *    trên Google News" and the like, alone or joined by `|`.
 * 5. `decoration`: no letter or digit at all ("***", "---").
 * 6. `photo-marker`: alt text of a photo, ending in "- Ảnh N."
 *    ("Đại tướng … Liên bang Nga- Ảnh 1.").
 * 7. `photo-credit`: only a credit ("Ảnh: Nguyễn Minh", "Ảnh minh họa").
 *    A long paragraph that merely ends in a credit keeps its text and loses
 *    the credit.
 * 8. `credited-caption`: a caption of at most {@link MAX_CREDITED_CAPTION}
 *    characters ending in a credit ("… Pete Hegseth. Ảnh: Thống Nhất – TTXVN").
 * 9. Title: the first remaining paragraph is the title (`title`) when it is
 *    one line of at most {@link MAX_TITLE_LINE} characters that does not end
 *    like a statement (`.`, `…`, `:`, `;`, `,`; a question is a fine title).
 *    Otherwise, if the text opens with a credited caption, that caption (without credit) is the
 *    title; otherwise the title is derived from the first sentence and that
 *    paragraph stays in the body (see `metadata.ts`). Later paragraphs equal
 *    to the title are alt text (`title-repeat`).
 * 10. `duplicate-caption` / `repeated-paragraph`: a paragraph whose text occurs
 *    more than once. Occurrences that are indented (a leading space, how
 *    these pages render figure captions) or that directly follow/precede
 *    another copy are caption copies. If every copy is a caption copy, all go
 *    (" Quang cảnh buổi tiếp." / "Quang cảnh buổi tiếp."); otherwise the first
 *    plain copy stays as body text and all other copies go. An indented
 *    paragraph that is not repeated is ordinary text: indentation alone is
 *    no evidence.
 * 11. `caption-after-photo`: right after a photo marker or a lone credit,
 *    the paragraphs that read like a caption (one sentence, ending in a full
 *    stop, at most {@link MAX_CAPTION} characters) are captions, e.g.
 *    "Bộ trưởng Phan Văn Giang và Bộ trưởng Andrey Removich Belousov.".
 *    Section headings ("Hợp tác và phát triển bền vững") have no full stop
 *    and are kept; longer sentences are kept.
 * 12. `dateline`: the agency prefix of the first body paragraph ("TPO - ",
 *    "(Chinhphu.vn) - ") is stripped and gives the source.
 * 13. `byline`: at the very end only, short lines that are a person's name
 *    ("Nguyễn Minh", "Bài và ảnh: Minh Anh"), a "Theo X" credit (X becomes
 *    the source) or a known agency abbreviation ("TTXVN").
 *
 * Not removed, on purpose: short sentences without any photo marker near them
 * ("Bộ trưởng Pete Hegseth phát biểu tại hội đàm."): they may be captions,
 * but nothing tells them apart from a short body paragraph, and dropping real
 * text is worse than keeping a caption.
 *
 * The body is the kept paragraphs, each trimmed, separated by one blank line.
 */
import {
  type ArticleMetadata,
  deriveTitle,
  findUrl,
  isKnownSource,
  parseDateHeader,
  parseDateValue,
  parseDateline,
  parseLinkLine,
  parseSourceLine,
  parseTheoLine,
  parseTimestamp,
  resolveSourceName,
  sourceFromUrl,
  splitPhotoCredit,
  titleFromCaption,
} from './metadata.ts';
import { stripInvisible } from '../text/normalize.ts';

/** Why a piece of text left the body. */
export type CleaningRule =
  | 'front-matter'
  | 'date-header'
  | 'timestamp'
  | 'source-line'
  | 'link-line'
  | 'print-share'
  | 'decoration'
  | 'photo-marker'
  | 'photo-credit'
  | 'credited-caption'
  | 'duplicate-caption'
  | 'repeated-paragraph'
  | 'title'
  | 'title-repeat'
  | 'caption-after-photo'
  | 'dateline'
  | 'byline';

/** A piece of text taken out of the body, and the rule that took it. */
export interface RemovedText {
  text: string;
  rule: CleaningRule;
}

/** The result of cleaning one article: its metadata, its body and what was removed. */
export interface CleanedArticle extends ArticleMetadata {
  /** NFC, paragraphs separated by exactly one blank line, no leading/trailing spaces. */
  body: string;
  removed: RemovedText[];
}

/** Longest first line, in characters, still taken as a title line. */
export const MAX_TITLE_LINE = 200;
/** Longest caption taken out when it ends in a photo credit. */
export const MAX_CREDITED_CAPTION = 300;
/** Longest sentence taken as a caption right after a photo marker. */
export const MAX_CAPTION = 120;

/** Page furniture that is boilerplate when it makes up a whole paragraph (lower case, no final punctuation). */
const PRINT_SHARE = new Set([
  'in', 'in bài', 'in bài viết', 'bản in', 'print',
  'chia sẻ', 'chia sẻ bài viết', 'share', 'facebook', 'zalo', 'twitter', 'tweet', 'email', 'gửi email', 'gửi bài viết',
  'lưu', 'lưu bài', 'lưu bài viết', 'lưu tin', 'bookmark',
  'bình luận', 'gửi bình luận', 'xem bình luận', 'bình luận bài viết',
  'sao chép liên kết', 'sao chép link', 'copy link', 'lấy link', 'link bài gốc', 'nghe bài viết', 'nghe', 'đọc bài',
  'xem thêm', 'đọc thêm', 'tin liên quan', 'bài liên quan', 'tin cùng chuyên mục', 'tin mới', 'tin khác', 'xem tiếp',
  'quay lại', 'trở lại', 'về trang chủ', 'trang chủ', 'đóng', 'thích', 'like', 'cỡ chữ', 'a+', 'a-', 'a a', 'tải ảnh',
]);
const FOLLOW_US = /^theo dõi .{1,60} trên (?:google news|facebook|zalo|youtube|tiktok)$/u;

const PHOTO_MARKER = /^(?:.{0,250}?[-–—]\s*)?\(?Ảnh\s*\d{1,3}\s*\)?\s*[.:]?$/u;
const PHOTO_CREDIT_ALONE = /^[([]?\s*(?:Ảnh|Hình)\s+minh\s+h(?:ọa|oạ)\s*[)\]]?\.?$/iu;
/** How a sentence (not a title) ends; a title may end in "?" or "!" ("Vì sao giá vàng tăng?"). */
const SENTENCE_END = /[.…:;,]["”’)\]]*$/u;
const CAPTION_END = /[.!?…]["”’)\]]*$/u;
const MARKDOWN_HEADING = /^#{1,6}\s+/u;
const LIST_ITEM = /^(?:[-*+•]|\d{1,3}[.)])\s+/u;
const PERSON_NAME = /^\p{Lu}[\p{Ll}\p{M}]*(?:\s+\p{Lu}[\p{Ll}\p{M}]*){1,4}$/u;
const BYLINE_ROLE = /^(?:Bài(?:\s+và\s+ảnh|,\s*ảnh)?|Ảnh|Tác giả|Thực hiện|Nhóm (?:PV|phóng viên)|PV|Phóng viên|Biên tập)\s*:?\s*/u;

interface Paragraph {
  text: string;
  /** The first line started with whitespace (how these pages render figure captions). */
  indented: boolean;
  /** Set when the paragraph left the body. */
  removed?: CleaningRule;
  /** Parts cut from a paragraph that stays (a dateline, a trailing credit). */
  stripped?: RemovedText[];
}

interface Found {
  title: string | null;
  titleFrom: ArticleMetadata['titleFrom'] | null;
  date: string | null;
  /** Candidate sources and URLs in priority order (lower rank wins). */
  sources: { rank: number; name: string }[];
  urls: { rank: number; url: string }[];
}

/** Unicode NFC, no invisible characters (zero-width, bidi controls: `stripInvisible`), tidy whitespace; keeps line structure (LF only). */
export function normalizeRawText(raw: string): string {
  return stripInvisible(raw.replace(/\r\n?/gu, '\n').normalize('NFC'))
    .replace(/[\x00-\x08\x0B-\x1F\x7F]/gu, '')
    .replace(/[\t\u00A0\u2000-\u200A\u202F\u205F\u3000]/gu, ' ');
}

/** Collapses runs of spaces and trims. */
function tidy(line: string): string {
  return line.replace(/ {2,}/gu, ' ').trim();
}

/** Lower case, final punctuation dropped: the key for the print/share list. */
function furnitureKey(text: string): string {
  return text.toLocaleLowerCase('vi').replace(/[\s.:!…]+$/u, '').trim();
}

function isPrintShare(text: string): boolean {
  const parts = text.split(/\s*[|•·]\s*/u).filter(Boolean);
  return parts.length > 0 && parts.every((p) => PRINT_SHARE.has(furnitureKey(p)) || FOLLOW_US.test(furnitureKey(p)));
}

function isDecoration(text: string): boolean {
  return !/[\p{L}\p{N}]/u.test(text);
}

function isLoneCredit(text: string): boolean {
  if (PHOTO_CREDIT_ALONE.test(text)) return true;
  const credit = splitPhotoCredit(text);
  return credit !== null && credit.caption === '';
}

/** A rule that applies to a line on its own, whatever its neighbours (used to split blocks, then to classify). */
function standaloneRule(text: string): CleaningRule | null {
  if (parseTimestamp(text)) return 'timestamp';
  if (parseSourceLine(text)) return 'source-line';
  if (parseLinkLine(text)) return 'link-line';
  if (isPrintShare(text)) return 'print-share';
  if (isDecoration(text)) return 'decoration';
  if (PHOTO_MARKER.test(text)) return 'photo-marker';
  if (isLoneCredit(text)) return 'photo-credit';
  return null;
}

/** One sentence, ending in a full stop (or ! ? …), short: how a caption reads. */
function readsLikeCaption(text: string): boolean {
  if (text.length > MAX_CAPTION || !CAPTION_END.test(text)) return false;
  return !/[.!?…]["”’)]?\s+["“‘(]?\p{Lu}/u.test(text);
}

function isTitleLine(text: string): boolean {
  return text.length <= MAX_TITLE_LINE && !SENTENCE_END.test(text) && /\p{L}/u.test(text);
}

/** A closing line that names the author rather than saying anything. */
function isByline(text: string): boolean {
  if (text.length > 60) return false;
  const names = text.replace(BYLINE_ROLE, '').replace(/\s*\([^)]{1,20}\)$/u, '').trim();
  if (!names) return false;
  if (/^[\p{Lu}Đ]{2,10}$/u.test(names)) return true; // "PV", "TTXVN"
  return names.split(/\s*(?:[-–,&]|\svà\s)\s*/u).every((n) => PERSON_NAME.test(n.trim()));
}

/** Splits normalised text into paragraphs (see the module comment). */
function toParagraphs(lines: string[]): Paragraph[] {
  const nonEmpty = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i >= 0);
  const first = nonEmpty[0] ?? 0;
  const last = nonEmpty[nonEmpty.length - 1] ?? -1;
  let hasBlank = false;
  for (let i = first; i <= last; i++) if (!lines[i].trim()) hasBlank = true;

  const out: Paragraph[] = [];
  let open: Paragraph | null = null;
  for (const line of lines) {
    if (!line.trim()) {
      open = null;
      continue;
    }
    const indented = /^\s/u.test(line);
    let text = tidy(line);
    const heading = MARKDOWN_HEADING.test(text);
    if (heading) text = text.replace(MARKDOWN_HEADING, '').replace(/\s+#+$/u, '');
    if (!hasBlank || heading || LIST_ITEM.test(text) || standaloneRule(text)) {
      out.push({ text, indented });
      open = null;
    } else if (open) {
      open.text += ` ${text}`;
    } else {
      open = { text, indented };
      out.push(open);
    }
  }
  return out.filter((p) => p.text);
}

/** Reads a leading `---` front-matter block; returns the lines after it. */
function readFrontMatter(lines: string[], found: Found, removed: RemovedText[]): string[] {
  if (lines[0]?.trim() !== '---') return lines;
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0 || end > 60) return lines;
  for (const line of lines.slice(1, end)) {
    const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/u.exec(line);
    if (!m) continue;
    const value = m[2].replace(/^["']|["']$/gu, '').trim();
    if (!value) continue;
    const key = m[1].toLowerCase();
    if (key === 'title') [found.title, found.titleFrom] = [tidy(value), 'front-matter'];
    else if (key === 'date') found.date ??= parseDateValue(value);
    else if (key === 'source') found.sources.push({ rank: 0, name: resolveSourceName(value) });
    else if (key === 'url' || key === 'link') {
      const url = findUrl(value);
      if (url) found.urls.push({ rank: 0, url });
    }
  }
  removed.push({ text: lines.slice(0, end + 1).join('\n'), rule: 'front-matter' });
  return lines.slice(end + 1);
}

/** Marks repeated paragraphs (rule 9). */
function markRepeats(paras: Paragraph[]): void {
  const groups = new Map<string, number[]>();
  paras.forEach((p, i) => {
    if (p.removed) return;
    const list = groups.get(p.text) ?? [];
    list.push(i);
    groups.set(p.text, list);
  });
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    const captionCopy = (i: number) => paras[i].indented || idx.includes(i - 1) || idx.includes(i + 1);
    const keep = idx.find((i) => !captionCopy(i));
    for (const i of idx) {
      if (i !== keep) paras[i].removed = keep === undefined ? 'duplicate-caption' : 'repeated-paragraph';
    }
  }
}

/**
 * Cleans one article's raw text: finds its title and metadata and returns the
 * body without boilerplate. Pure: the same text always gives the same result.
 */
export function cleanArticleText(raw: string): CleanedArticle {
  const removed: RemovedText[] = [];
  const found: Found = { title: null, titleFrom: null, date: null, sources: [], urls: [] };

  let lines = readFrontMatter(normalizeRawText(raw).split('\n'), found, removed);

  // Rule 2: the date header on the first non-empty line.
  const firstLine = lines.findIndex((l) => l.trim());
  if (firstLine >= 0) {
    const header = parseDateHeader(lines[firstLine]);
    if (header) {
      found.date ??= header.date;
      removed.push({ text: lines[firstLine].slice(0, lines[firstLine].length - header.rest.length).trim(), rule: 'date-header' });
      lines = [...lines.slice(0, firstLine), header.rest, ...lines.slice(firstLine + 1)];
    }
  }

  const paras = toParagraphs(lines);

  // Rules 3–8: paragraphs that are boilerplate or metadata on their own.
  for (const p of paras) {
    const rule = standaloneRule(p.text);
    if (rule === 'timestamp') found.date ??= parseTimestamp(p.text);
    if (rule === 'source-line') {
      const s = parseSourceLine(p.text)!;
      if (s.source) found.sources.push({ rank: 1, name: s.source });
      if (s.url) found.urls.push({ rank: 1, url: s.url });
    }
    if (rule === 'link-line') found.urls.push({ rank: 2, url: parseLinkLine(p.text)! });
    if (rule) {
      p.removed = rule;
      continue;
    }
    const credit = splitPhotoCredit(p.text);
    if (credit && credit.caption.length <= MAX_CREDITED_CAPTION) p.removed = 'credited-caption';
    else if (credit) {
      p.stripped = [...(p.stripped ?? []), { text: p.text.slice(credit.caption.length).trim(), rule: 'photo-credit' }];
      p.text = credit.caption;
    }
  }

  // Rule 9: the title.
  const opening = paras.findIndex((p) => !p.removed || p.removed === 'credited-caption');
  if (found.title === null && opening >= 0) {
    const p = paras[opening];
    if (!p.removed && isTitleLine(p.text)) {
      [found.title, found.titleFrom, p.removed] = [p.text, 'line', 'title'];
    } else if (p.removed === 'credited-caption') {
      const caption = splitPhotoCredit(p.text)!.caption;
      if (caption) [found.title, found.titleFrom] = [titleFromCaption(caption), 'caption'];
    }
  }
  // Rule 10: repeated paragraphs, then copies of the title.
  markRepeats(paras);
  if (found.title !== null) {
    for (const p of paras) if (!p.removed && p.text === found.title) p.removed = 'title-repeat';
  }

  // Rule 11: captions right after a photo marker or a lone credit.
  for (let i = 1; i < paras.length; i++) {
    const before = paras[i - 1].removed;
    const afterPhoto = before === 'photo-marker' || before === 'photo-credit' || before === 'caption-after-photo';
    if (afterPhoto && !paras[i].removed && readsLikeCaption(paras[i].text)) paras[i].removed = 'caption-after-photo';
  }

  // Rule 12: the dateline of the first body paragraph.
  const lead = paras.find((p) => !p.removed);
  const dateline = lead ? parseDateline(lead.text) : null;
  if (lead && dateline) {
    lead.stripped = [{ text: lead.text.slice(0, lead.text.length - dateline.rest.length).trim(), rule: 'dateline' }, ...(lead.stripped ?? [])];
    found.sources.push({ rank: 2, name: dateline.source });
    lead.text = dateline.rest;
  }

  // Rule 13: bylines at the very end.
  for (let i = paras.length - 1; i >= 0; i--) {
    const p = paras[i];
    if (p.removed) continue;
    const theo = parseTheoLine(p.text);
    if (theo) found.sources.push({ rank: 3, name: theo });
    else if (isKnownSource(p.text)) found.sources.push({ rank: 3, name: resolveSourceName(p.text) });
    else if (!isByline(p.text)) break;
    p.removed = 'byline';
  }

  for (const p of paras) {
    removed.push(...(p.stripped ?? []));
    if (p.removed) removed.push({ text: p.text, rule: p.removed });
  }
  const kept = paras.filter((p) => !p.removed).map((p) => p.text);
  const body = kept.join('\n\n');

  const inText = findUrl(body);
  if (inText) found.urls.push({ rank: 3, url: inText });
  const url = [...found.urls].sort((a, b) => a.rank - b.rank)[0]?.url ?? null;
  const hostSource = url ? sourceFromUrl(url) : null;
  if (hostSource) found.sources.push({ rank: 4, name: hostSource });
  const source = [...found.sources].sort((a, b) => a.rank - b.rank)[0]?.name ?? null;

  let title = found.title;
  let titleFrom = found.titleFrom;
  if (title === null) [title, titleFrom] = [body ? deriveTitle(body) : '', 'first-sentence'];

  return { title, titleFrom: titleFrom ?? 'first-sentence', date: found.date, source, url, body, removed };
}
