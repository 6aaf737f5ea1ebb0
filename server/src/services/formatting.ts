/**
 * Formatting: re-lays out the token stream — two-space indentation, one space
 * between tokens, one statement per line, one edit (or MSR) per line inside
 * multi-line blocks, comments where they were, runs of blank lines collapsed to
 * one. Blocks written on one line (`cpuid { +a +b }`) stay on one line.
 *
 * It refuses (returns no edit) when the file has syntax errors, and checks that
 * its output holds exactly the input's tokens and comments, so formatting can
 * never lose text.
 */
import { lex, type Comment, type Token } from '../syntax/lexer';
import type { ParsedDocument } from '../model/document';
import type { TextEdit } from '../fixes/apply';
import { diffEdit } from './text-diff';
import { countLineBreaks } from '../common/text';

const INDENT = '  ';

export function formatDocument(doc: ParsedDocument): TextEdit[] {
  if (doc.tree.diagnostics.length) return [];
  const formatted = formatText(doc);
  if (!sameContent(doc.text, formatted)) return [];
  const edit = diffEdit(doc.text, formatted);
  return edit ? [edit] : [];
}

/** Offsets of tokens that get special line treatment, from the syntax tree. */
interface Layout {
  /** Tokens that must start a line (statements, edits and MSRs of multi-line blocks, `machine`). */
  lineStarts: Set<number>;
  /** '{' and '}' of blocks laid out over several lines (machine bodies always are). */
  multiLineBraces: Set<number>;
  /** A machine body's '{' that the source put on the next line: joined to the header. */
  joinBraces: Set<number>;
}

function layoutOf(doc: ParsedDocument): Layout {
  const lineOf = (offset: number) => doc.lines.positionAt(offset).line;
  const layout: Layout = { lineStarts: new Set(), multiLineBraces: new Set(), joinBraces: new Set() };
  for (const m of doc.tree.machines) {
    layout.lineStarts.add(m.start);
    if (!m.body) continue;
    layout.multiLineBraces.add(m.body.open.start);
    if (m.body.close) layout.multiLineBraces.add(m.body.close.start);
    layout.joinBraces.add(m.body.open.start);
    for (const s of m.statements) {
      layout.lineStarts.add(s.start);
      if ((s.kind !== 'cpuid' && s.kind !== 'migrate') || !s.block?.close) continue;
      if (lineOf(s.block.open.start) === lineOf(s.block.close.start)) continue;
      layout.multiLineBraces.add(s.block.open.start);
      layout.multiLineBraces.add(s.block.close.start);
      const items = s.kind === 'cpuid' ? s.edits : s.msrs;
      for (const item of items) layout.lineStarts.add(item.start);
    }
  }
  return layout;
}

type Item = { kind: 'token'; token: Token } | { kind: 'comment'; comment: Comment };

function formatText(doc: ParsedDocument): string {
  const { tokens, comments } = lex(doc.text);
  const layout = layoutOf(doc);
  const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
  const items: Item[] = [
    ...tokens.filter((t) => t.kind !== 'newline' && t.kind !== 'eof').map((token): Item => ({ kind: 'token', token })),
    ...comments.map((comment): Item => ({ kind: 'comment', comment })),
  ].sort((a, b) => start(a) - start(b));

  const lines: string[] = [];
  let current: string | undefined; // the line being built
  let commented = false; // the line being built ends with a comment: nothing may follow it
  let depth = 0;
  let prev: Token | undefined;
  let prevEnd = 0;
  const flush = () => {
    if (current !== undefined) lines.push(current);
    current = undefined;
    commented = false;
  };
  const newLine = (blankBefore: boolean) => {
    flush();
    if (blankBefore && lines.length && lines[lines.length - 1] !== '') lines.push('');
    current = INDENT.repeat(depth);
  };

  for (const item of items) {
    const at = start(item);
    const breaks = countLineBreaks(doc.text, prevEnd, at);
    if (item.kind === 'comment') {
      const text = doc.text.slice(item.comment.start, item.comment.end);
      if (item.comment.ownLine || current === undefined) {
        newLine(breaks > 1);
        current += text;
      } else current += ' ' + text;
      commented = true;
      prevEnd = item.comment.end;
      continue;
    }
    const t = item.token;
    const closesBlock = t.kind === '}' && layout.multiLineBraces.has(t.start);
    if (closesBlock) depth = Math.max(0, depth - 1);
    const joined = layout.joinBraces.has(t.start) && !commented;
    const startsLine =
      current === undefined || (!joined && (breaks > 0 || layout.lineStarts.has(t.start) || closesBlock || (prev?.kind === '{' && layout.multiLineBraces.has(prev.start))));
    if (startsLine) newLine(breaks > 1 && !joined);
    else current += spaceBetween(prev, t) ? ' ' : '';
    current += t.text;
    if (t.kind === '{' && layout.multiLineBraces.has(t.start)) depth++;
    prev = t;
    prevEnd = t.end;
  }
  flush();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join(eol) + eol : '';
}

function start(item: Item): number {
  return item.kind === 'token' ? item.token.start : item.comment.start;
}

/** No space after an edit's sign or before a comma; one space everywhere else. */
function spaceBetween(prev: Token | undefined, t: Token): boolean {
  if (!prev) return false;
  if ((prev.kind === '+' || prev.kind === '-') && t.kind === 'word' && prev.end === t.start) return false;
  return t.kind !== ',';
}

/** The same tokens and comments, in the same order: whitespace is all that may differ. */
function sameContent(a: string, b: string): boolean {
  const flat = (text: string) => {
    const { tokens, comments } = lex(text);
    return JSON.stringify([tokens.filter((t) => t.kind !== 'newline').map((t) => t.text), comments.map((c) => c.body)]);
  };
  return flat(a) === flat(b);
}
