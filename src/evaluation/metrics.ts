/** Answer recall@k and MRR over ranked passage lists. */
export interface RecallRow {
  n: number;
  r1: number;
  r5: number;
  mrr: number;
}

/** Rank (1-based) of the first passage containing one of `answers` (after NFC), or null. */
export function firstHit(passages: readonly string[], answers: readonly string[]): number | null {
  const wanted = answers.map((a) => a.normalize('NFC'));
  for (let i = 0; i < passages.length; i++) {
    const p = passages[i].normalize('NFC');
    if (wanted.some((a) => p.includes(a))) return i + 1;
  }
  return null;
}

/** Aggregates first-hit ranks into R@1, R@5 and MRR (over the top 10). */
export function summarize(ranks: readonly (number | null)[]): RecallRow {
  const n = ranks.length || 1;
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  for (const r of ranks) {
    if (r === null) continue;
    if (r <= 1) r1++;
    if (r <= 5) r5++;
    if (r <= 10) mrr += 1 / r;
  }
  return { n: ranks.length, r1: r1 / n, r5: r5 / n, mrr: mrr / n };
}

/** Formats rows as a fixed-width table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' && !Number.isInteger(c) ? c.toFixed(3) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
