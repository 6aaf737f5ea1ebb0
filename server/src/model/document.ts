/** One parsed .mtype document: text, line index and syntax tree, made together. */
import { LineIndex } from '../common/text';
import { parse } from '../syntax/parser';
import { reparse } from '../syntax/reparse';
import type { SyntaxTree } from '../syntax/ast';

export interface ParsedDocument {
  uri: string;
  version: number;
  text: string;
  lines: LineIndex;
  tree: SyntaxTree;
}

/**
 * Parses a document; given its previous version, only the regions the change touches
 * are parsed again (syntax/reparse.ts) — which moves the previous version's kept
 * machines in place, so the previous version is no longer valid afterwards.
 */
export function parseDocument(uri: string, text: string, version = 0, previous?: ParsedDocument): ParsedDocument {
  const tree = previous ? reparse(previous.tree, text) : parse(text);
  // The line index too is made from the previous one, when the tree says what the edit was.
  const change = tree.changes[tree.changes.length - 1];
  const lines = previous && change?.from === previous.tree.serial ? LineIndex.afterEdit(previous.lines, text, change.at, change.end) : new LineIndex(text);
  return { uri, version, text, lines, tree };
}
