/** One parsed .mtype document: text, line index and syntax tree, made together. */
import { LineIndex } from '../common/text';
import { parse } from '../syntax/parser';
import type { SyntaxTree } from '../syntax/ast';

export interface ParsedDocument {
  uri: string;
  version: number;
  text: string;
  lines: LineIndex;
  tree: SyntaxTree;
}

export function parseDocument(uri: string, text: string, version = 0): ParsedDocument {
  return { uri, version, text, lines: new LineIndex(text), tree: parse(text) };
}
