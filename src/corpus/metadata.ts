/**
 * Article metadata: title, date, source name and link.
 *
 * The recognisers here look at one paragraph at a time and say whether it is
 * a metadata line and what it holds; `clean.ts` decides which paragraphs to
 * ask about and sets the matching ones aside from the body.
 *
 * What is recognised (everything is NFC text, one paragraph):
 * - **Date header** ` date 2025-11-02 …` at the very start of a file →
 *   `2025-11-02` (also `YYYY-MM`); the rest of that line is ordinary text.
 * - **Timestamp line** `09:08 - 14/08/2024` (also `14/08/2024 09:08`, an
 *   optional weekday "Thứ Tư," and "(GMT+7)") → `2024-08-14`.
 * - **Source line** `Nguồn Tiền Phong: https://…`, `Nguồn: Chinhphu.vn` →
 *   source and URL. "Nguồn tin cho biết, …" is a sentence, not a source line:
 *   a source line has a colon right after "Nguồn" or a URL, and a short name.
 * - **Link line**: a paragraph that is only a URL, perhaps after a short label
 *   ("Link bài gốc: https://…") → URL.
 * - **Dateline** at the start of the first body paragraph: `TPO - `,
 *   `(Chinhphu.vn) - `, `HÀ NỘI (TTXVN) - ` → source; the prefix is stripped
 *   from the text so quotes read cleanly. A bare prefix (no parentheses) must
 *   be a known abbreviation from {@link KNOWN_SOURCES}.
 * - **"Theo X"** as a short closing line (e.g. "Theo TTXVN") → source.
 * - A URL anywhere in the text gives the link when nothing better does, and
 *   its host gives the source name when nothing else names one.
 *
 * Priorities when several are present: source from the source line, then the
 * dateline, then a closing "Theo X", then the URL's host; URL from the source
 * line, then a link line, then the first URL in the body.
 *
 * Title (see {@link titleFromCaption} and {@link deriveTitle}): the title line
 * when the file has one; else, when the text opens with a credited photo
 * caption ("… Pete Hegseth. Ảnh: Thống Nhất – TTXVN"), that caption without
 * its credit; else the first sentence of the body, cut at a word boundary to
 * at most {@link MAX_DERIVED_TITLE} characters with "…".
 */

/** Where an article's metadata came from, once the whole text has been read. */
export interface ArticleMetadata {
  title: string;
  /** How the title was found: a title line, an opening photo caption, or the first sentence. */
  titleFrom: 'line' | 'caption' | 'first-sentence' | 'front-matter';
  /** ISO `YYYY-MM-DD` or `YYYY-MM`, or null. */
  date: string | null;
  source: string | null;
  url: string | null;
}

/** A news source: its display name, the abbreviations used in datelines, and its web hosts. */
export interface KnownSource {
  name: string;
  abbreviations: readonly string[];
  hosts: readonly string[];
}

/**
 * The one table of known sources. Datelines ("TPO - "), "Nguồn X:" lines and
 * URL hosts are all resolved through it; an unknown name is kept as written.
 */
export const KNOWN_SOURCES: readonly KnownSource[] = [
  { name: 'Tiền Phong', abbreviations: ['TPO', 'Tiền Phong', 'Báo Tiền Phong'], hosts: ['tienphong.vn'] },
  { name: 'Chinhphu.vn', abbreviations: ['Chinhphu.vn', 'Báo Chính phủ', 'Baochinhphu.vn'], hosts: ['chinhphu.vn', 'baochinhphu.vn'] },
  { name: 'TTXVN', abbreviations: ['TTXVN', 'Thông tấn xã Việt Nam'], hosts: ['vnanet.vn', 'ttxvn.org.vn'] },
  { name: 'VNA', abbreviations: ['VNA'], hosts: ['en.vnanet.vn'] },
  { name: 'VietnamPlus', abbreviations: ['Vietnam+', 'VietnamPlus'], hosts: ['vietnamplus.vn'] },
  { name: 'VOV', abbreviations: ['VOV', 'VOV.VN'], hosts: ['vov.vn'] },
  { name: 'VTV', abbreviations: ['VTV', 'VTV.vn'], hosts: ['vtv.vn'] },
  { name: 'Quân đội nhân dân', abbreviations: ['QĐND', 'QĐND Online', 'Báo Quân đội nhân dân'], hosts: ['qdnd.vn'] },
  { name: 'Nhân Dân', abbreviations: ['NDO', 'Báo Nhân Dân'], hosts: ['nhandan.vn'] },
  { name: 'Tuổi Trẻ', abbreviations: ['TTO'], hosts: ['tuoitre.vn'] },
  { name: 'Thanh Niên', abbreviations: ['TNO'], hosts: ['thanhnien.vn'] },
  { name: 'Pháp Luật TP.HCM', abbreviations: ['PLO'], hosts: ['plo.vn'] },
  { name: 'Người Lao Động', abbreviations: ['NLĐO'], hosts: ['nld.com.vn'] },
  { name: 'Sài Gòn Giải Phóng', abbreviations: ['SGGP', 'SGGPO'], hosts: ['sggp.org.vn'] },
  { name: 'An ninh Thủ đô', abbreviations: ['ANTĐ'], hosts: ['anninhthudo.vn'] },
  { name: 'Dân trí', abbreviations: ['Dân trí'], hosts: ['dantri.com.vn'] },
  { name: 'VnExpress', abbreviations: ['VnExpress'], hosts: ['vnexpress.net'] },
];

/** Longest derived title, in characters, "…" included. */
export const MAX_DERIVED_TITLE = 120;

const byAbbreviation = new Map<string, KnownSource>();
for (const s of KNOWN_SOURCES) {
  for (const a of [s.name, ...s.abbreviations]) byAbbreviation.set(a.toLocaleLowerCase('vi'), s);
}

/** The canonical name for a source as written ("TPO" → "Tiền Phong"); unknown names come back trimmed. */
export function resolveSourceName(written: string): string {
  const name = written.trim().replace(/\s+/g, ' ');
  return byAbbreviation.get(name.toLocaleLowerCase('vi'))?.name ?? name;
}

/** True when `written` is a known source name or abbreviation. */
export function isKnownSource(written: string): boolean {
  return byAbbreviation.has(written.trim().toLocaleLowerCase('vi'));
}

/** Source name for a URL: the known source for its host, else the host without `www.`; null for a bad URL. */
export function sourceFromUrl(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  // Most specific host first (en.vnanet.vn before vnanet.vn).
  const candidates = KNOWN_SOURCES.flatMap((s) => s.hosts.map((h) => ({ h, s }))).sort((a, b) => b.h.length - a.h.length);
  const known = candidates.find(({ h }) => host === h || host.endsWith(`.${h}`));
  return known ? known.s.name : host.replace(/^www\./, '') || null;
}

const URL_PATTERN = /https?:\/\/[^\s<>"'“”‘’()[\]{}]+/iu;

/** The first http(s) URL in `text`, without trailing punctuation, or null. */
export function findUrl(text: string): string | null {
  const m = URL_PATTERN.exec(text);
  if (!m) return null;
  return m[0].replace(/[.,;:!?…]+$/u, '');
}

/** Checks and pads an ISO date: `2025-2-7` → `2025-02-07`; `YYYY-MM` stays month-precise. Null when impossible. */
export function isoDate(year: number, month: number, day?: number): string | null {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  const ym = `${year}-${String(month).padStart(2, '0')}`;
  if (day === undefined) return ym;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth) return null;
  return `${ym}-${String(day).padStart(2, '0')}`;
}

/** Reads a date written as `YYYY-MM-DD`, `YYYY-MM` or `DD/MM/YYYY` (front matter and the like). */
export function parseDateValue(text: string): string | null {
  const t = text.trim();
  let m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?$/.exec(t);
  if (m) return isoDate(Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return isoDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return null;
}

const DATE_HEADER = /^\s*date:?\s+(\d{4}-\d{2}(?:-\d{2})?)(?=\s|$)\s*/iu;

/**
 * The ` date YYYY-MM(-DD) ` header that opens some files: its date and the
 * text that follows it on the same line (often the title or the lead).
 */
export function parseDateHeader(line: string): { date: string; rest: string } | null {
  const m = DATE_HEADER.exec(line);
  if (!m) return null;
  const date = parseDateValue(m[1]);
  return date ? { date, rest: line.slice(m[0].length).trim() } : null;
}

const WEEKDAY = String.raw`(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn)\s*,?\s*)?`;
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2})?`;
const DMY = String.raw`(\d{1,2})\/(\d{1,2})\/(\d{4})`;
const TIMESTAMP = new RegExp(
  String.raw`^${WEEKDAY}(?:${CLOCK}\s*[-–,|]?\s*)?${WEEKDAY}${DMY}(?:\s*[-–,|]?\s*${CLOCK})?(?:\s*\(?GMT\s*[+-]\s*\d{1,2}\)?)?$`,
  'iu',
);

/** A paragraph that is only a publication time, `09:08 - 14/08/2024` → `2024-08-14`; else null. */
export function parseTimestamp(paragraph: string): string | null {
  const m = TIMESTAMP.exec(paragraph.trim());
  return m ? isoDate(Number(m[3]), Number(m[2]), Number(m[1])) : null;
}

/** Short enough to be a name, not a sentence: no comma, no sentence end, a few words. */
function isNameLike(text: string, maxWords = 6): boolean {
  if (!text || text.length > 60) return false;
  if (/[,;!?“”"]/u.test(text) || /\.\s/u.test(text) || /\.$/u.test(text)) return false;
  return text.split(/\s+/u).length <= maxWords;
}

/**
 * A source line, `Nguồn Tiền Phong: https://…` → `{ source: "Tiền Phong", url }`.
 * Needs a colon right after "Nguồn" or a URL, so "Nguồn tin cho biết, …" is not one.
 */
export function parseSourceLine(paragraph: string): { source: string | null; url: string | null } | null {
  const m = /^(?:Nguồn(?:\s+(?:tin|bài(?:\s+viết)?))?)(\s*:)?\s*(.*)$/iu.exec(paragraph.trim());
  if (!m) return null;
  const url = findUrl(m[2]);
  if (!url && !m[1]) return null;
  const name = (url ? m[2].replace(url, '') : m[2]).replace(/^[\s:–-]+|[\s:–-]+$/gu, '').trim();
  if (name && !isNameLike(name)) return null;
  if (!name && !url) return null;
  return { source: name ? resolveSourceName(name) : null, url };
}

/** A paragraph that is only a link, perhaps after a short label ("Link bài gốc:") → the URL; else null. */
export function parseLinkLine(paragraph: string): string | null {
  const p = paragraph.trim();
  const url = findUrl(p);
  if (!url) return null;
  const label = p.replace(url, '').replace(/[\s:.<>()[\]–-]+/gu, ' ').trim();
  return label.length <= 30 && !/[.!?]/u.test(label) && label.split(' ').filter(Boolean).length <= 4 ? url : null;
}

const PARENTHESISED_DATELINE = /^(?:[\p{Lu}.\s]{2,30}\s)?\(([^()\n]{2,30})\)\s*[-–—]\s*/u;
const BARE_DATELINE = /^([\p{L}.+]{2,12}(?:\s[\p{L}.+]{2,12})?)\s+[-–—]\s+/u;

/**
 * The agency prefix that opens a lead paragraph: `TPO - `, `(Chinhphu.vn) - `,
 * `HÀ NỘI (TTXVN) - `. Returns the source and the paragraph without the prefix.
 */
export function parseDateline(paragraph: string): { source: string; rest: string } | null {
  let m = PARENTHESISED_DATELINE.exec(paragraph);
  if (m && /^\p{L}/u.test(m[1]) && isNameLike(m[1].trim(), 4)) {
    const rest = paragraph.slice(m[0].length).trim();
    if (rest) return { source: resolveSourceName(m[1]), rest };
  }
  m = BARE_DATELINE.exec(paragraph);
  if (m && isKnownSource(m[1])) {
    const rest = paragraph.slice(m[0].length).trim();
    if (rest) return { source: resolveSourceName(m[1]), rest };
  }
  return null;
}

/** A short closing "Theo X" line (e.g. "Theo TTXVN") → X as a source name; else null. */
export function parseTheoLine(paragraph: string): string | null {
  const m = /^Theo\s+(.+?)\.?$/u.exec(paragraph.trim());
  return m && isNameLike(m[1], 5) && /^\p{Lu}/u.test(m[1]) ? resolveSourceName(m[1]) : null;
}

/** Cuts `text` at a word boundary so that, with "…", it is at most `max` characters. */
export function shortenAtWord(text: string, max = MAX_DERIVED_TITLE): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max); // leaves room: "…" replaces the part after the last space
  const space = cut.lastIndexOf(' ');
  const head = (space > max / 3 ? cut.slice(0, space) : cut.slice(0, max - 1)).replace(/[\s,;:–—-]+$/u, '');
  return `${head}…`;
}

/** The first sentence of `text`: up to the first `.`, `!`, `?` or `…` followed by a space and a capital. */
export function firstSentence(text: string): string {
  const t = text.trim();
  const m = /[.!?…]["”’)]?(?=\s+["“‘(]?\p{Lu})/u.exec(t);
  return m ? t.slice(0, m.index + m[0].length) : t;
}

/**
 * A title made from the first sentence of the body, for files that have no
 * title line: the sentence without its final full stop, cut at a word
 * boundary to at most {@link MAX_DERIVED_TITLE} characters with "…".
 */
export function deriveTitle(body: string): string {
  const sentence = firstSentence(body.split(/\n\s*\n/u)[0] ?? '');
  const short = shortenAtWord(sentence);
  return short.endsWith('…') ? short : short.replace(/\.$/u, '');
}

const CREDIT_LABEL = String.raw`(?:Ảnh minh h(?:ọa|oạ)|Nguồn ảnh|Ảnh|ẢNH|Video|Clip|Đồ h(?:ọa|oạ))`;
/**
 * A photo credit at the end of a paragraph: "Ảnh: X" (capital "Ả", so "ảnh
 * hưởng" never matches) opening the paragraph, following a sentence end, in
 * brackets or after a dash; the credit itself is short and has no sentence end.
 */
const TRAILING_CREDIT = new RegExp(
  String.raw`(?:^|(?<=[.!?…"”])\s+|\s*[([]\s*|\s+[-–—]\s+)${CREDIT_LABEL}\s*:\s*((?:(?!\.\s)[^\n!?:]){1,60}?)\s*[)\]]?\s*\.?$`,
  'u',
);

/** Splits a caption from its trailing photo credit: `"X. Ảnh: Y"` → `{ caption: "X.", credit: "Y" }`; else null. */
export function splitPhotoCredit(paragraph: string): { caption: string; credit: string } | null {
  const m = TRAILING_CREDIT.exec(paragraph);
  if (!m) return null;
  return { caption: paragraph.slice(0, m.index).trim(), credit: m[1].trim() };
}

/** A title from an opening credited caption: the caption without credit or final full stop. */
export function titleFromCaption(caption: string): string {
  return shortenAtWord(caption.replace(/[.\s]+$/u, ''));
}
