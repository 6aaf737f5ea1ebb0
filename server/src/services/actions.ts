/**
 * Code actions: one quick fix per fix intent of each diagnostic the editor asks
 * about, "Fix all MTxxx in file" per code, and a `source.fixAll.mtype` action
 * that applies every safe (preferred replace/remove) fix at once.
 */
import type { Diagnostic, FixIntent } from '../common/diagnostic';
import type { Range } from '../common/text';
import { applyEdits, editsForFix, type TextEdit } from '../fixes/apply';
import type { KnowledgeBase } from '../kb/knowledge-base';
import { parseDocument, type ParsedDocument } from '../model/document';
import { compareVersions } from '../common/version';
import type { Project } from './project';
import { diffEdit } from './text-diff';

export const FIX_ALL_KIND = 'source.fixAll.mtype';
export type ActionKind = 'quickfix' | typeof FIX_ALL_KIND;

export interface ActionEntry {
  title: string;
  kind: ActionKind;
  isPreferred?: boolean;
  diagnostics: Diagnostic[];
  /** Edits to the requested document. */
  edits: Array<{ range: Range; newText: string }>;
}

/** A diagnostic as the editor sends it back: enough to find ours again. */
export interface DiagnosticKey {
  code?: string | number;
  range: Range;
}

/**
 * `context` are the diagnostics the editor sends back; a client that sends none
 * (or ones without a code) gets the fixes of our diagnostics that touch `range`.
 */
export function codeActions(project: Project, uri: string, context: DiagnosticKey[], only?: string[], range?: Range): ActionEntry[] {
  const doc = project.document(uri);
  if (!doc) return [];
  const all = project.diagnostics(uri);
  const wants = (kind: ActionKind) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
  const out: ActionEntry[] = [];
  const toRanges = (edits: TextEdit[]) => edits.map((e) => ({ range: doc.lines.rangeOf(e.span), newText: e.newText }));

  if (wants('quickfix')) {
    const asked = context.length
      ? all.filter((d) => context.some((k) => (k.code === undefined || String(k.code) === d.code) && sameRange(k.range, d.range)))
      : range
        ? all.filter((d) => touches(d.range, range))
        : [];
    for (const d of asked) {
      for (const fix of d.fixes ?? []) {
        const edits = editsForFix(doc, fix, project.kb);
        if (edits.length) out.push({ title: fix.title, kind: 'quickfix', isPreferred: !!fix.preferred, diagnostics: [d], edits: toRanges(edits) });
      }
    }
    for (const code of new Set(asked.map((d) => d.code))) {
      const fixable = all.filter((d) => d.code === code && preferredFix(d));
      if (fixable.length < 2) continue;
      const edit = combinedEdit(doc, fixable.map((d) => preferredFix(d)!), project.kb);
      if (edit) out.push({ title: `Fix all ${code} in file (${fixable.length})`, kind: 'quickfix', diagnostics: fixable, edits: toRanges([edit]) });
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const safe = all.filter((d) => {
      const fix = preferredFix(d);
      return fix && (fix.kind === 'replace' || fix.kind === 'remove');
    });
    const edit = safe.length ? combinedEdit(doc, safe.map((d) => preferredFix(d)!), project.kb) : undefined;
    if (edit) out.push({ title: 'Fix all safe mtype problems', kind: FIX_ALL_KIND, diagnostics: safe, edits: toRanges([edit]) });
  }
  return out;
}

function preferredFix(d: Diagnostic): FixIntent | undefined {
  return d.fixes?.find((f) => f.preferred);
}

/** Whether two ranges overlap or meet (a cursor at either end of a diagnostic touches it). */
function touches(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * Applies many fixes as one edit. Span-based fixes (replace, remove) all refer to
 * the original text, so they go first, overlapping ones dropped; machine-level
 * fixes (whitelist, mask, …) are then applied one by one to the re-parsed text,
 * so each sees the layout the previous one left.
 */
export function combinedEdit(doc: ParsedDocument, fixes: FixIntent[], kb: KnowledgeBase): TextEdit | undefined {
  const spanEdits: TextEdit[] = [];
  for (const fix of fixes) if (fix.kind === 'replace' || fix.kind === 'remove') spanEdits.push(...editsForFix(doc, fix, kb));
  spanEdits.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const kept: TextEdit[] = [];
  for (const e of spanEdits) {
    const last = kept[kept.length - 1];
    if (!last || e.span.start >= last.span.end) kept.push(e);
  }
  let text = applyEdits(doc.text, kept);
  for (const fix of mergeMachineFixes(fixes)) {
    const current = parseDocument(doc.uri, text);
    text = applyEdits(text, editsForFix(current, fix, kb));
  }
  return diffEdit(doc.text, text);
}

/** One fix per machine and purpose: whitelists, masks and provides merged, the highest qemu/host-kernel kept, repeats dropped. */
function mergeMachineFixes(fixes: FixIntent[]): FixIntent[] {
  const out = new Map<string, FixIntent>();
  for (const fix of fixes) {
    switch (fix.kind) {
      case 'replace':
      case 'remove':
        break;
      case 'set-kernel':
      case 'set-qemu': {
        const key = `${fix.kind}|${fix.machine}`;
        const prev = out.get(key);
        const version = (f: FixIntent) => (f.kind === 'set-kernel' ? f.min : f.kind === 'set-qemu' ? f.version : '0');
        if (!prev || compareVersions(version(fix), version(prev)) > 0) out.set(key, fix);
        break;
      }
      case 'whitelist':
      case 'mask':
      case 'add-provides': {
        // One edit per machine: the bits of every fix of the kind together, in order, once each.
        const key = `${fix.kind}|${fix.machine}`;
        const prev = out.get(key);
        const features = prev && 'features' in prev ? [...new Set([...prev.features, ...fix.features])] : fix.features;
        out.set(key, { ...fix, features });
        break;
      }
      case 'add-migrate':
        out.set(`migrate|${fix.machine}|${fix.msr}`, fix);
        break;
      case 'add-statement':
        out.set(`statement|${fix.machine}|${fix.text}`, fix);
        break;
    }
  }
  return [...out.values()];
}
