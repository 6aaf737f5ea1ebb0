/**
 * Did-you-mean fixes for MT002 (unknown keyword). A suggestion is offered only
 * when the line parses with it: `cpuidd +x2apic` may become `cpuid +x2apic`,
 * never `cpu +x2apic`, because a quick fix must not trade MT002 for MT001.
 */
import type { FixIntent } from '../common/diagnostic';
import { suggest } from '../common/suggest';
import type { ParsedDocument } from '../model/document';
import type { SyntaxDiagnostic } from '../syntax/ast';
import { lex } from '../syntax/lexer';
import { parse } from '../syntax/parser';
import { mapped } from '../common/arrays';

export function keywordFixes(doc: ParsedDocument, d: SyntaxDiagnostic): FixIntent[] {
  if (!d.word) return [];
  const expected = d.expected ?? [];
  const rest = doc.text.slice(d.end, doc.lines.lineEnd(doc.lines.positionAt(d.end).line));
  const statement = !expected.includes('machine');
  const fits = suggest(d.word, expected, 3).filter((k) => lineParses(k + rest, statement));
  return mapped(fits, (k, i) => ({ kind: 'replace', title: `Change to '${k}'`, span: { start: d.start, end: d.end }, text: k, preferred: i === 0 && fits.length === 1 }));
}

/** Parses one line alone (inside a machine for a statement), closing any block the line opens. */
function lineParses(line: string, statement: boolean): boolean {
  let open = 0;
  for (const t of lex(line).tokens) open += t.kind === '{' ? 1 : t.kind === '}' ? -1 : 0;
  const closing = '\n}'.repeat(Math.max(0, open));
  const text = statement ? `machine m {\n${line}${closing}\n}\n` : `${line}${closing}\n`;
  return parse(text).diagnostics.length === 0;
}
