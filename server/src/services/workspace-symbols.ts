/** Workspace symbols: every machine type, filtered by a fuzzy (in-order letters) match. */
import type { Range } from '../common/text';
import type { Workspace } from '../model/workspace';

export interface WorkspaceSymbolEntry {
  name: string;
  /** The base it extends, shown as the symbol's container. */
  containerName?: string;
  uri: string;
  range: Range;
}

export function workspaceSymbols(workspace: Workspace, query: string, limit = 500): WorkspaceSymbolEntry[] {
  const scored: Array<{ entry: WorkspaceSymbolEntry; score: number }> = [];
  for (const doc of workspace.documents) {
    for (const m of doc.tree.machines) {
      if (!m.name) continue;
      const score = fuzzyScore(query, m.name.text);
      if (score === undefined) continue;
      scored.push({ entry: { name: m.name.text, containerName: m.base?.text, uri: doc.uri, range: doc.lines.rangeOf(m.name) }, score });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.entry.name.localeCompare(b.entry.name));
  return scored.slice(0, limit).map((s) => s.entry);
}

/**
 * Case-insensitive subsequence match: undefined when `query`'s letters do not
 * appear in order in `name`; otherwise lower is better (fewer gaps, earlier start).
 */
export function fuzzyScore(query: string, name: string): number | undefined {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let score = 0;
  let from = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    const i = n.indexOf(ch, from);
    if (i < 0) return undefined;
    score += i - from;
    from = i + 1;
  }
  return score;
}
