/**
 * `# mtype-ignore: MT300, MT302` — at the end of a line it silences those codes
 * for diagnostics starting on that line; alone on a line, on the next line.
 * `# mtype-ignore` with no list silences every code.
 */
import type { ParsedDocument } from '../model/document';
import type { Region } from '../syntax/ast';
import type { Comment } from '../syntax/lexer';
import { countLineBreaks } from '../common/text';

const MARKER = 'mtype-ignore';

/** The suppression comments of a region: the same region object has the same comments. */
const ofRegion = new WeakMap<Region, ReadonlyArray<{ comment: Comment; codes: readonly string[] }>>();
const NONE: ReadonlyArray<{ comment: Comment; codes: readonly string[] }> = [];

function regionSuppressions(region: Region) {
  let found = ofRegion.get(region);
  if (!found) {
    let list: Array<{ comment: Comment; codes: readonly string[] }> | undefined;
    for (const c of region.comments) {
      if (!c.body.includes(MARKER)) continue;
      const body = c.body.trim();
      if (!body.startsWith(MARKER)) continue;
      const rest = body.slice(MARKER.length).trim();
      let codes: string[];
      if (rest === '') codes = ['*'];
      else if (rest.startsWith(':')) codes = rest.slice(1).split(/[\s,]+/).filter((x) => /^MT\d{3}$/.test(x));
      else continue;
      (list ??= []).push({ comment: c, codes });
    }
    ofRegion.set(region, (found = list ?? NONE));
  }
  return found;
}

/**
 * A region's line count and its suppression comments by line (relative to the region)
 * and codes: two versions of a region with the same shape silence the same lines.
 */
export function suppressionShape(region: Region, text: string): string {
  let shape = `${countLineBreaks(text, region.start, region.end)}`;
  for (const { comment, codes } of regionSuppressions(region)) shape += `;${countLineBreaks(text, region.start, comment.start)}${comment.ownLine ? '+' : ''}:${codes.join(',')}`;
  return shape;
}

/** The silenced lines of a document version: by line, and in order (so a region finds its own without a look at each of its lines). */
export class Suppressions {
  /** Line number -> silenced codes ('*' for all). */
  readonly byLine = new Map<number, Set<string>>();
  private lines: number[] = [];

  static of(doc: ParsedDocument): Suppressions {
    const out = new Suppressions();
    // Most files have none: one search of the text instead of a look at every comment.
    if (!doc.text.includes(MARKER)) return out;
    for (const region of doc.tree.regions) {
      for (const { comment, codes } of regionSuppressions(region)) {
        const line = doc.lines.positionAt(comment.start).line + (comment.ownLine ? 1 : 0);
        let set = out.byLine.get(line);
        if (!set) out.byLine.set(line, (set = new Set<string>()));
        for (const code of codes) set.add(code);
      }
    }
    out.lines = [...out.byLine.keys()].sort((a, b) => a - b);
    return out;
  }

  /** The silenced lines in [first, last], in order. */
  within(first: number, last: number): number[] {
    let lo = 0;
    let hi = this.lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid] < first) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.lines.length && this.lines[i] <= last; i++) out.push(this.lines[i]);
    return out;
  }
}
