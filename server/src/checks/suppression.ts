/**
 * `# mtype-ignore: MT300, MT302` — at the end of a line it silences those codes
 * for diagnostics starting on that line; alone on a line, on the next line.
 * `# mtype-ignore` with no list silences every code.
 */
import type { ParsedDocument } from '../model/document';

const MARKER = 'mtype-ignore';

/** Line number -> silenced codes ('*' for all). */
export function suppressedLines(doc: ParsedDocument): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  // Most files have none: one search of the text instead of a look at every comment.
  if (!doc.text.includes(MARKER)) return out;
  for (const c of doc.tree.comments) {
    const body = c.body.trim();
    if (!body.startsWith(MARKER)) continue;
    const rest = body.slice(MARKER.length).trim();
    let codes: string[];
    if (rest === '') codes = ['*'];
    else if (rest.startsWith(':')) codes = rest.slice(1).split(/[\s,]+/).filter((s) => /^MT\d{3}$/.test(s));
    else continue;
    const line = doc.lines.positionAt(c.start).line + (c.ownLine ? 1 : 0);
    const set = out.get(line) ?? new Set<string>();
    for (const code of codes) set.add(code);
    out.set(line, set);
  }
  return out;
}
