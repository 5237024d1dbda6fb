import type { QueryTerm, QueryUnit } from '../index/query-terms.ts';

/** Collects terms, merging repeats by adding weights. */
export class TermBag {
  /** Term text (prefixed with "=" when exact) → weight. */
  private readonly weights = new Map<string, number>();
  readonly matched: string[] = [];
  /** The English word (or phrase, name, number, date) whose terms are being added, or null for bonus terms. */
  private current: { alternatives: Map<string, string[]>; weight: number } | null = null;
  private readonly unitList: { alternatives: Map<string, string[]>; weight: number }[] = [];

  /** Starts a new unit of meaning: the terms added next all stand for it. */
  unit(weight = 1): void {
    this.current = { alternatives: new Map(), weight };
    this.unitList.push(this.current);
  }

  /** One way the current unit can appear in a passage: all of `terms` together (a translation's syllable pairs). */
  alternative(terms: readonly string[]): void {
    if (this.current && terms.length) this.current.alternatives.set(terms.join('|'), [...terms]);
  }

  /** Terms added next are extra evidence (cross pairs), not a unit of the question. */
  noUnit(): void {
    this.current = null;
  }

  /** Adds weight to a term; `exact` terms match as written even without diacritics. */
  add(text: string, weight: number, exact = false): void {
    if (!text || !(weight > 0)) return;
    const key = exact ? `=${text}` : text;
    this.weights.set(key, (this.weights.get(key) ?? 0) + weight);
  }

  /** A term that stands for the current unit on its own (a name, a number, an English form). */
  addAlone(text: string, weight: number): void {
    this.add(text, weight);
    if (text && weight > 0) this.alternative([text]);
  }

  /** When the current unit has no way to appear in the corpus, records `form` as its only (absent) way. */
  absentUnless(form: string): void {
    if (this.current && this.current.alternatives.size === 0) this.alternative([form]);
  }

  units(): QueryUnit[] {
    return this.unitList
      .filter((u) => u.alternatives.size > 0)
      .map((u) => ({ alternatives: [...u.alternatives.values()], weight: u.weight }));
  }

  match(translation: string): void {
    if (!this.matched.includes(translation)) this.matched.push(translation);
  }

  terms(): QueryTerm[] {
    return [...this.weights].map(([key, weight]) => {
      const rounded = Math.round(weight * 1000) / 1000;
      return key.startsWith('=') ? { text: key.slice(1), weight: rounded, exact: true } : { text: key, weight: rounded };
    });
  }
}
