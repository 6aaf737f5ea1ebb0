/** Did-you-mean: the closest known names to a misspelt one. */

/** Damerau-Levenshtein (optimal string alignment) distance, bounded for speed. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prevPrev = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[cols - 1];
}

/** Normalises spelling variants that are never meaningful: case, '_' vs '-'. */
function fold(s: string): string {
  return s.toLowerCase().replace(/_/g, '-');
}

/**
 * Up to `max` candidates close to `word`, best first. Folding-equal names come
 * first; then edit distance within about a third of the word's length.
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  if (word.length > 200) return [];
  const folded = fold(word);
  const limit = Math.max(1, Math.min(3, Math.floor(folded.length / 3)));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of candidates) {
    const f = fold(name);
    if (f === folded) {
      scored.push({ name, score: -1 });
      continue;
    }
    const d = editDistance(folded, f, limit);
    if (d <= limit) scored.push({ name, score: d });
    else if (folded.length >= 4 && (f.startsWith(folded) || folded.startsWith(f)) && Math.abs(f.length - folded.length) <= 4) {
      scored.push({ name, score: limit + 0.5 });
    }
  }
  scored.sort((x, y) => x.score - y.score || x.name.length - y.name.length || (x.name < y.name ? -1 : 1));
  const out: string[] = [];
  for (const s of scored) if (!out.includes(s.name) && out.push(s.name) >= max) break;
  return out;
}
