/** One article of the corpus, after cleaning. Quotes are always substrings of `text`. */
export interface Article {
  /** File name without extension, e.g. `002_8639caca932e6f8c`. */
  id: string;
  /** Path of the source file it was read from. */
  path: string;
  title: string;
  /** ISO date `YYYY-MM-DD` or `YYYY-MM`, or null when the text gives none. */
  date: string | null;
  /** Human name of the source ("Tiền Phong", "Chinhphu.vn"), or null. */
  source: string | null;
  /** Link to the original, or null. */
  url: string | null;
  /** Cleaned body text (NFC, boilerplate removed, paragraphs separated by blank lines). */
  text: string;
  /** sha256 (hex) of the raw file bytes: changes when the file changes. */
  contentHash: string;
}

/** A file that could not be ingested, and why (shown as a warning, never fatal). */
export interface SkippedFile {
  path: string;
  reason: string;
}
