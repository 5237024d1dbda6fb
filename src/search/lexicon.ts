import { readFile } from 'node:fs/promises';
import { stemmer } from 'stemmer';
import { hasVietnameseDiacritics } from '../text/normalize.ts';
import { tokenizeNorm } from '../text/tokens.ts';
import { UserError } from '../errors.ts';

/**
 * The English→Vietnamese lexicon used to translate English questions: a TSV file,
 * one `english<TAB>vietnamese` pair a line (the shared one is English Wiktionary's
 * translation tables, CC BY-SA; never committed, see the README).
 *
 * English heads are case-folded; heads written with capitals ("US", "IT", "France")
 * are also kept under their own spelling so an acronym in a question is not confused
 * with a common word ("US" → "Mỹ", not "us" → "chúng tôi"). Multi-word heads
 * ("prime minister") are kept as phrases for longest-match lookup.
 */

/** One Vietnamese translation of an English head, with its syllables precomputed. */
export interface Translation {
  /** As written in the lexicon (NFC). */
  text: string;
  /** Its syllables in `normalizeText` form ("bộ trưởng" → ["bộ", "trưởng"]). */
  syllables: readonly string[];
}

/** Sizes reported by `trichdan doctor`. */
export interface LexiconStats {
  /** Translation pairs kept. */
  pairs: number;
  /** Distinct (case-folded) English heads, acronyms included. */
  heads: number;
  /** Heads of one word. */
  words: number;
  /** Heads of two or more words. */
  phrases: number;
  /** Lines skipped because they had no tab or an empty side. */
  skipped: number;
}

/** A lexicon file that cannot be used: missing, unreadable, binary, not UTF-8, or without pairs. */
export class LexiconError extends UserError {
  constructor(
    message: string,
    /** The file that was being loaded. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'LexiconError';
  }
}

/** Heads longer than this (in words) are not matched as phrases in questions. */
export const MAX_PHRASE_WORDS = 4;

/** A loaded lexicon with fast lookup by single word, phrase, exact spelling and stem. */
export class Lexicon {
  private stems: Map<string, string[]> | null = null;

  /** Use {@link loadLexicon} or {@link Lexicon.fromText}. */
  private constructor(
    /** Where it was loaded from (for messages). */
    readonly path: string,
    /** Case-folded single-word heads → translations. */
    private readonly words: Map<string, Translation[]>,
    /** Case-folded multi-word heads (words joined by one space) → translations. */
    private readonly phrases: Map<string, Translation[]>,
    /** Heads written with capitals, under their own spelling ("US", "IT"). */
    private readonly cased: Map<string, Translation[]>,
    /** Sizes. */
    readonly stats: LexiconStats,
  ) {}

  /**
   * Parses TSV text. Blank lines and lines starting with `#` are skipped; so are lines
   * without a tab or with an empty side (counted in `stats.skipped`).
   * Throws {@link LexiconError} when no pair is found.
   */
  static fromText(text: string, path = '<text>'): Lexicon {
    const words = new Map<string, Translation[]>();
    const phrases = new Map<string, Translation[]>();
    const cased = new Map<string, Translation[]>();
    const seen = new Set<string>();
    const syllableCache = new Map<string, Translation>();
    let pairs = 0;
    let skipped = 0;
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    for (const rawLine of body.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const tab = line.indexOf('\t');
      if (tab < 0) {
        skipped++;
        continue;
      }
      const headRaw = line.slice(0, tab).normalize('NFC').replace(/\s+/g, ' ').trim();
      const vi = cleanTranslation(line.slice(tab + 1));
      if (headRaw === '' || vi === '') {
        skipped++;
        continue;
      }
      let translation = syllableCache.get(vi);
      if (!translation) {
        translation = { text: vi, syllables: tokenizeNorm(vi) };
        syllableCache.set(vi, translation);
      }
      if (translation.syllables.length === 0) {
        skipped++;
        continue;
      }
      const head = headRaw.toLowerCase();
      const key = `${headRaw}\t${vi}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs++;
      if (headRaw !== head) push(cased, headRaw, translation);
      // Acronyms ("US", "IT", "UN") only under their own spelling: folded, they are other words.
      const acronym = /^[^a-z]*[A-Z][^a-z]*[A-Z][^a-z]*$/.test(headRaw);
      if (!acronym && !seen.has(`${head}\t${vi}\tfolded`)) {
        seen.add(`${head}\t${vi}\tfolded`);
        push(head.includes(' ') ? phrases : words, head, translation);
      }
    }
    if (pairs === 0) {
      throw new LexiconError(
        `lexicon ${path} has no "english<TAB>vietnamese" lines` +
          (skipped > 0 ? ` (${skipped} lines without a tab)` : ' (the file is empty)'),
        path,
      );
    }
    const stats: LexiconStats = {
      pairs,
      heads: new Set([...words.keys(), ...phrases.keys(), ...[...cased.keys()].map((h) => h.toLowerCase())]).size,
      words: words.size,
      phrases: phrases.size,
      skipped,
    };
    return new Lexicon(path, words, phrases, cased, stats);
  }

  /** Translations of a case-folded head (one word, or words joined by single spaces). */
  lookup(head: string): readonly Translation[] | undefined {
    return head.includes(' ') ? this.phrases.get(head) : this.words.get(head);
  }

  /** Translations of a head written with capitals, under that exact spelling ("US"). */
  lookupCased(head: string): readonly Translation[] | undefined {
    return this.cased.get(head);
  }

  /** Whether a case-folded single word is a head. */
  hasWord(word: string): boolean {
    return this.words.has(word);
  }

  /** Whether a case-folded phrase is a head. */
  hasPhrase(phrase: string): boolean {
    return this.phrases.has(phrase);
  }

  /**
   * Single-word heads sharing `word`'s Porter stem ("normalising" → ["normalise",
   * "normalize", …]); the last resort for inflections the suffix rules miss.
   */
  headsWithStem(word: string): readonly string[] {
    if (!this.stems) {
      this.stems = new Map();
      for (const head of this.words.keys()) {
        if (!/^[a-z]+$/.test(head)) continue;
        const s = stemmer(head);
        const list = this.stems.get(s);
        if (list) list.push(head);
        else this.stems.set(s, [head]);
      }
    }
    return this.stems.get(stemmer(word)) ?? [];
  }
}

/** English words that mark a usage note rather than a translation ("not used in Vietnamese"). */
const NOTE_WORDS = new Set(['a', 'an', 'the', 'to', 'of', 'in', 'is', 'not', 'used', 'who', 'than', 'for', 'with', 'version', 'speaker']);

/**
 * A translation without editorial notes: "official: Cộng Hòa…" → "Cộng Hòa…",
 * "thứ sáu /lit.: number six/" → "thứ sáu"; an English usage note instead of a
 * translation ("Not used in Vietnamese") → "" (skipped).
 */
function cleanTranslation(raw: string): string {
  const text = raw
    .normalize('NFC')
    .replace(/\/[^/]*\//g, ' ')
    .replace(/^[A-Za-z][A-Za-z .]*:\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!hasVietnameseDiacritics(text)) {
    const notes = text.toLowerCase().split(/[\s-]+/).filter((w) => NOTE_WORDS.has(w)).length;
    if (notes >= 2) return '';
  }
  return text;
}

function push(map: Map<string, Translation[]>, key: string, t: Translation): void {
  const list = map.get(key);
  if (list) list.push(t);
  else map.set(key, [t]);
}

/**
 * Loads a lexicon TSV file. Throws {@link LexiconError} with a one-line message when
 * the file is missing, unreadable, binary, not UTF-8 or holds no pairs.
 */
export async function loadLexicon(path: string): Promise<Lexicon> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'not found'
        : code === 'EISDIR'
          ? 'is a directory, not a TSV file'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? (err as Error).message})`;
    throw new LexiconError(`lexicon ${path} ${why}; set TRICHDAN_LEXICON to an english<TAB>vietnamese TSV file`, path);
  }
  if (bytes.includes(0)) {
    throw new LexiconError(`lexicon ${path} is a binary file, not an english<TAB>vietnamese TSV file`, path);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LexiconError(`lexicon ${path} is not UTF-8 text; save it as UTF-8 (english<TAB>vietnamese a line)`, path);
  }
  return Lexicon.fromText(text, path);
}
