/**
 * Quick fixes: turns a fix intent into minimal text edits that keep comments and
 * layout and leave a file that parses. Every edit is computed against the
 * document's syntax tree, never by searching the text.
 */
import type { FixIntent } from '../common/diagnostic';
import type { Span } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import { signSpan, type CpuidStatement, type Edit, type MachineDecl, type Statement } from '../syntax/ast';

export interface TextEdit {
  span: Span;
  newText: string;
}

export function editsForFix(doc: ParsedDocument, fix: FixIntent, kb: KnowledgeBase): TextEdit[] {
  switch (fix.kind) {
    case 'replace':
      return [{ span: fix.span, newText: fix.text }];
    case 'remove':
      return [removal(doc, fix.span)];
    default: {
      const machine = doc.tree.machines.find((m) => m.name?.text === fix.machine);
      if (!machine || !machine.body?.close) return [];
      const layout = new Layout(doc, machine);
      switch (fix.kind) {
        case 'whitelist':
          return setSign(layout, machine, fix.features, '+', kb);
        case 'mask':
          return setSign(layout, machine, fix.features, '-', kb);
        case 'set-kernel':
          return setKernel(layout, machine, fix.min);
        case 'set-qemu':
          return setQemu(layout, machine, fix.version);
        case 'add-migrate':
          return addMigrate(layout, machine, fix.msr);
        case 'add-provides':
          return addProvides(layout, machine, fix.features);
        case 'add-statement':
          return [layout.insertStatement(fix.text, 'after-scalars')];
      }
    }
  }
}

/** Applies non-overlapping edits to a text (later spans first). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let out = text;
  let lastStart = Infinity;
  for (const e of sorted) {
    if (e.span.end > lastStart) continue; // overlapping: keep the first-placed edit only
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
    lastStart = e.span.start;
  }
  return out;
}

// ---- layout ---------------------------------------------------------------

/** Indentation and line-break conventions of one machine, for inserted lines. */
class Layout {
  readonly eol: string;

  constructor(readonly doc: ParsedDocument, readonly machine: MachineDecl) {
    this.eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
  }

  lineOf(offset: number): number {
    return this.doc.lines.positionAt(offset).line;
  }

  indentAt(offset: number): string {
    const line = this.lineOf(offset);
    const start = this.doc.lines.lineStarts[line];
    let i = start;
    while (i < this.doc.text.length && (this.doc.text[i] === ' ' || this.doc.text[i] === '\t')) i++;
    return this.doc.text.slice(start, i);
  }

  /** One indentation step, guessed from the machine's first statement (two spaces by default). */
  get step(): string {
    const s = this.machine.statements[0];
    if (s) {
      const inner = this.indentAt(s.start);
      const outer = this.indentAt(this.machine.start);
      if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
    }
    return '  ';
  }

  get bodyIndent(): string {
    const s = this.machine.statements.find((x) => this.lineOf(x.start) !== this.lineOf(this.machine.body!.open.start));
    return s ? this.indentAt(s.start) : this.indentAt(this.machine.start) + this.step;
  }

  /** Inserts a whole statement line into the machine body. */
  insertStatement(text: string, where: 'first' | 'after-scalars' | 'last'): TextEdit {
    const body = this.machine.body!;
    const close = body.close!;
    const statements = this.machine.statements;
    const sameLine = this.lineOf(body.open.start) === this.lineOf(close.start);
    if (sameLine) {
      // `machine a { qemu 1.0 }`: open the body up rather than cram a second statement on the line.
      const indent = this.indentAt(this.machine.start);
      return { span: { start: close.start, end: close.start }, newText: `${this.eol}${indent}${this.step}${text}${this.eol}${indent}` };
    }
    let anchor: Statement | undefined;
    if (where === 'after-scalars') {
      for (const s of statements) if (s.kind !== 'cpuid' && s.kind !== 'migrate' && s.kind !== 'compat' && s.kind !== 'host-kernel-provides') anchor = s;
    } else if (where === 'last') anchor = statements[statements.length - 1];
    if (anchor && this.lineOf(anchor.end) !== this.lineOf(close.start)) {
      const at = this.doc.lines.lineEnd(this.lineOf(anchor.end));
      return { span: { start: at, end: at }, newText: `${this.eol}${this.bodyIndent}${text}` };
    }
    // First statement: right after the line of the opening brace.
    const at = this.doc.lines.lineEnd(this.lineOf(body.open.start));
    return { span: { start: at, end: at }, newText: `${this.eol}${this.bodyIndent}${text}` };
  }
}

// ---- intents --------------------------------------------------------------

function ownCpuid(machine: MachineDecl): CpuidStatement[] {
  return machine.statements.filter((s): s is CpuidStatement => s.kind === 'cpuid');
}

function setSign(layout: Layout, machine: MachineDecl, features: string[], sign: '+' | '-', kb: KnowledgeBase): TextEdit[] {
  const edits: TextEdit[] = [];
  const missing: string[] = [];
  for (const name of features) {
    const canonical = kb.feature(name)?.name ?? name;
    let hasGlobal = false;
    for (const s of ownCpuid(machine)) {
      for (const e of s.edits) {
        if ((kb.feature(e.feature.text)?.name ?? e.feature.text) !== canonical) continue;
        if (e.sign !== sign) edits.push({ span: signSpan(e), newText: sign });
        if (s.models.length === 0) hasGlobal = true;
      }
    }
    if (!hasGlobal) missing.push(canonical);
  }
  if (missing.length) edits.push(...addEdits(layout, machine, missing.map((f) => sign + f)));
  return edits;
}

/** Adds edits to the machine's own global `cpuid` list, creating `cpuid { }` where there is none. */
function addEdits(layout: Layout, machine: MachineDecl, items: string[]): TextEdit[] {
  const global = ownCpuid(machine).find((s) => s.models.length === 0 && (!s.block || s.block.close));
  if (global?.block?.close) {
    const block = global.block;
    const close = block.close!;
    const lastEdit: Edit | undefined = global.edits[global.edits.length - 1];
    if (layout.lineOf(block.open.start) === layout.lineOf(close.start)) {
      // `cpuid { +a }` stays on one line.
      const at = lastEdit ? lastEdit.end : block.open.end;
      return [{ span: { start: at, end: at }, newText: ' ' + items.join(' ') }];
    }
    const indent = lastEdit && layout.lineOf(lastEdit.start) !== layout.lineOf(block.open.start) ? layout.indentAt(lastEdit.start) : layout.indentAt(global.start) + layout.step;
    if (lastEdit && layout.lineOf(lastEdit.end) !== layout.lineOf(close.start)) {
      const at = layout.doc.lines.lineEnd(layout.lineOf(lastEdit.end));
      return [{ span: { start: at, end: at }, newText: items.map((i) => `${layout.eol}${indent}${i}`).join('') }];
    }
    const at = layout.doc.lines.lineEnd(layout.lineOf(block.open.start));
    return [{ span: { start: at, end: at }, newText: items.map((i) => `${layout.eol}${indent}${i}`).join('') }];
  }
  if (global && !global.block) {
    return [{ span: { start: global.end, end: global.end }, newText: ' ' + items.join(' ') }];
  }
  const inner = layout.bodyIndent + layout.step;
  const text = items.length === 1 ? `cpuid { ${items[0]} }` : `cpuid {${items.map((i) => `${layout.eol}${inner}${i}`).join('')}${layout.eol}${layout.bodyIndent}}`;
  return [layout.insertStatement(text, 'last')];
}

function setKernel(layout: Layout, machine: MachineDecl, min: string): TextEdit[] {
  const s = machine.statements.find((x) => x.kind === 'host-kernel');
  if (s && s.kind === 'host-kernel' && s.min) return [{ span: s.min, newText: min }];
  if (s) return [{ span: { start: s.start, end: s.end }, newText: `host-kernel >= ${min}` }];
  return [layout.insertStatement(`host-kernel >= ${min}`, 'after-scalars')];
}

function setQemu(layout: Layout, machine: MachineDecl, version: string): TextEdit[] {
  const s = machine.statements.find((x) => x.kind === 'qemu');
  if (s && s.kind === 'qemu' && s.version) return [{ span: s.version, newText: version }];
  if (s) return [{ span: { start: s.start, end: s.end }, newText: `qemu ${version}` }];
  return [layout.insertStatement(`qemu ${version}`, 'first')];
}

function addMigrate(layout: Layout, machine: MachineDecl, msr: string): TextEdit[] {
  const s = machine.statements.find((x) => x.kind === 'migrate' && (!x.block || x.block.close));
  if (s && s.kind === 'migrate') {
    if (!s.block) return [{ span: { start: s.end, end: s.end }, newText: ` ${msr}` }];
    const last = s.msrs[s.msrs.length - 1];
    const close = s.block.close!;
    if (layout.lineOf(s.block.open.start) === layout.lineOf(close.start) || !last) {
      const at = last ? last.end : s.block.open.end;
      return [{ span: { start: at, end: at }, newText: ` ${msr}` }];
    }
    const at = layout.doc.lines.lineEnd(layout.lineOf(last.end));
    return [{ span: { start: at, end: at }, newText: `${layout.eol}${layout.indentAt(last.start)}${msr}` }];
  }
  return [layout.insertStatement(`migrate ${msr}`, 'last')];
}

/** Appends to the machine's own `host-kernel provides` line, or adds one after its scalars. */
function addProvides(layout: Layout, machine: MachineDecl, features: string[]): TextEdit[] {
  const s = machine.statements.find((x) => x.kind === 'host-kernel-provides' && x.features.length > 0);
  if (s && s.kind === 'host-kernel-provides') {
    const last = s.features[s.features.length - 1];
    return [{ span: { start: last.end, end: last.end }, newText: ` ${features.join(' ')}` }];
  }
  return [layout.insertStatement(`host-kernel provides ${features.join(' ')}`, 'after-scalars')];
}

// ---- removal --------------------------------------------------------------

/**
 * Removes a span; widened to its statement when the statement would be left
 * empty (a one-line `cpuid` or `migrate`), and to the whole line when nothing
 * but blanks would remain on it. A comment on the line is kept.
 */
function removal(doc: ParsedDocument, span: Span): TextEdit {
  let target = span;
  const owner = statementContaining(doc, span);
  if (owner) {
    if (owner.kind === 'cpuid' && !owner.block && owner.edits.length === 1 && owner.edits[0].start === span.start) target = owner;
    if (owner.kind === 'migrate' && !owner.block && owner.msrs.length === 1 && owner.msrs[0].start === span.start) target = owner;
  }
  const text = doc.text;
  const line = doc.lines.positionAt(target.start).line;
  const lineStart = doc.lines.lineStarts[line];
  const lineEnd = doc.lines.lineEnd(line);
  const before = text.slice(lineStart, target.start);
  const after = text.slice(target.end, lineEnd);
  if (before.trim() === '' && after.trim() === '' && doc.lines.positionAt(target.end).line === line) {
    const nextStart = line + 1 < doc.lines.lineCount ? doc.lines.lineStarts[line + 1] : lineEnd;
    // Delete the whole line, its break included; the last line takes the break before it.
    if (nextStart === lineEnd && line > 0) return { span: { start: doc.lines.lineEnd(line - 1), end: lineEnd }, newText: '' };
    return { span: { start: lineStart, end: nextStart }, newText: '' };
  }
  // Mid-line: take the following comma and blanks, or the preceding blanks.
  let end = target.end;
  while (end < lineEnd && (text[end] === ' ' || text[end] === '\t')) end++;
  if (text[end] === ',') {
    end++;
    while (end < lineEnd && (text[end] === ' ' || text[end] === '\t')) end++;
  }
  // First thing on its line, a comment after it: the comment keeps the statement's indentation.
  if (before.trim() === '' && text[end] === '#') return { span: { start: target.start, end }, newText: '' };
  if (end === lineEnd || text[end] === '#' || text[end] === '}') {
    let start = target.start;
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    if (text[end] === '#' || text[end] === '}') return { span: { start, end: target.end }, newText: '' };
    return { span: { start, end }, newText: '' };
  }
  return { span: { start: target.start, end }, newText: '' };
}

function statementContaining(doc: ParsedDocument, span: Span): Statement | undefined {
  for (const m of doc.tree.machines) {
    if (span.start < m.start || span.end > m.end) continue;
    for (const s of m.statements) if (s.start <= span.start && span.end <= s.end) return s;
  }
  return undefined;
}
