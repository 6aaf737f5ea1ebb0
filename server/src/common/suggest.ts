/** Did-you-mean: the closest known names to a misspelt one. */

/** Three rows of the distance table, reused: a suggestion compares against thousands of names. */
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/** Damerau-Levenshtein (optimal string alignment) distance, bounded for speed. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const cols = b.length + 1;
  if (rows[0].length < cols) rows = [new Int32Array(cols * 2), new Int32Array(cols * 2), new Int32Array(cols * 2)];
  let [prevPrev, prev, cur] = rows;
  for (let j = 0; j < cols; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j < cols; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prevPrev[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[cols - 1];
}

/** Folded spellings, kept: the candidates are mostly the same names call after call (the KB's). */
const foldedNames = new Map<string, string>();

/** Normalises spelling variants that are never meaningful: case, '_' vs '-'. */
function fold(s: string): string {
  let f = foldedNames.get(s);
  if (f === undefined) {
    if (foldedNames.size >= 50_000) foldedNames.clear(); // machine names come from user text
    foldedNames.set(s, (f = s.toLowerCase().replace(/_/g, '-')));
  }
  return f;
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
