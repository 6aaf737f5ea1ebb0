/**
 * The properties every input must satisfy, shared by the test suite and
 * `npm run fuzz`: no exception, no internal-error diagnostic, bounded time,
 * every range (own and related) inside its document and consistent with its
 * span, fixes that produce in-range edits, and deterministic output.
 */
import { LineIndex, type Range } from '../../../server/src/common/text';
import type { Diagnostic } from '../../../server/src/common/diagnostic';
import type { KnowledgeBase } from '../../../server/src/kb/knowledge-base';
import { Project } from '../../../server/src/services/project';
import { applyEdits, editsForFix } from '../../../server/src/fixes/apply';
import { parseDocument } from '../../../server/src/model/document';
import { documentSymbols, foldingRanges } from '../../../server/src/services/symbols';

export type FailureKind = 'crash' | 'internal-error' | 'hang' | 'range' | 'nondeterministic' | 'fix';

export class FuzzFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(`${kind}: ${message}`);
  }
}

export interface CheckOptions {
  /** A second document in the same project, so cross-file facts (bases, duplicates) get exercised. */
  companion?: string;
  /** Also turn every offered fix into edits and re-parse the result (default true). */
  fixes?: boolean;
  /** Re-analyse in the same and in a fresh project and compare (default true). */
  determinism?: boolean;
  /** Time allowed for the first analysis (default: timeBudgetMs of the input's length). */
  budgetMs?: number;
  /** How inherited findings are reported (default `each`; `once` is the editor's, with MT300 per model). */
  inherited?: 'each' | 'once';
}

export interface CheckResult {
  /** Time of the first parse + analysis, the figure the hang bound applies to. */
  ms: number;
  diagnostics: number;
  fixes: number;
}

/** At most this many diagnostics per input have their fixes applied. */
const MAX_FIXED_DIAGNOSTICS = 40;

export const INPUT_URI = 'file:///fuzz/input.mtype';
export const COMPANION_URI = 'file:///fuzz/companion.mtype';

/** Generous time bound for one input: 250 ms plus 10 µs per character. */
export function timeBudgetMs(length: number): number {
  // A hang is orders of magnitude past this; the slack keeps a loaded CI machine from failing it.
  return 2000 + length * 0.05;
}

export function checkInput(text: string, kb: KnowledgeBase, options: CheckOptions = {}): CheckResult {
  const files: Array<[string, string]> = options.companion === undefined ? [[INPUT_URI, text]] : [[COMPANION_URI, options.companion], [INPUT_URI, text]];
  let project: Project;
  let first: Map<string, Diagnostic[]>;
  const t0 = performance.now();
  try {
    project = load(kb, files, options.inherited);
    first = analyseAll(project, files);
  } catch (error) {
    throw new FuzzFailure('crash', (error as Error).stack ?? String(error));
  }
  const ms = performance.now() - t0;
  if (ms > (options.budgetMs ?? timeBudgetMs(text.length))) throw new FuzzFailure('hang', `${ms.toFixed(0)} ms for ${text.length} characters`);

  let diagnostics = 0;
  let fixes = 0;
  // Re-parsing per fix costs a whole parse; a spread of MAX_FIXED_DIAGNOSTICS keeps the check linear.
  const total = [...first.values()].reduce((n, list) => n + list.length, 0);
  const stride = Math.max(1, Math.ceil(total / MAX_FIXED_DIAGNOSTICS));
  for (const [uri, list] of first) {
    const doc = project.document(uri)!;
    for (const d of list) {
      diagnostics++;
      if (d.message.startsWith('internal error')) throw new FuzzFailure('internal-error', `${uri}: ${d.message}`);
      assertRange(doc.lines, d.range, `${d.code} ${JSON.stringify(d.range)} in ${uri}`);
      if (JSON.stringify(doc.lines.rangeOf(d.span)) !== JSON.stringify(d.range)) throw new FuzzFailure('range', `${d.code} range does not match its span`);
      for (const r of d.related ?? []) {
        const other = project.document(r.uri);
        if (!other) throw new FuzzFailure('range', `${d.code} related information names an unknown document ${r.uri}`);
        assertRange(other.lines, r.range, `related range of ${d.code} in ${r.uri}`);
      }
      if (options.fixes !== false && diagnostics % stride === 0) fixes += checkFixes(doc.text, uri, d, project, kb);
    }
  }
  try {
    const doc = project.document(INPUT_URI)!;
    for (const s of flattenSymbols(documentSymbols(doc))) assertRange(doc.lines, s, 'document symbol');
    for (const f of foldingRanges(doc)) if (f.startLine > f.endLine || f.endLine >= doc.lines.lineCount) throw new FuzzFailure('range', `folding range ${JSON.stringify(f)}`);
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    throw new FuzzFailure('crash', `symbols: ${(error as Error).stack}`);
  }

  if (options.determinism !== false) {
    const expected = serialise(first);
    project.setOptions({ inherited: options.inherited }); // drops the diagnostics cache: same project, analysed again
    if (serialise(analyseAll(project, files)) !== expected) throw new FuzzFailure('nondeterministic', 're-analysis in the same project differs');
    if (serialise(analyseAll(load(kb, files, options.inherited), files)) !== expected) throw new FuzzFailure('nondeterministic', 'a fresh project gives different diagnostics');
  }
  return { ms, diagnostics, fixes };
}

function load(kb: KnowledgeBase, files: Array<[string, string]>, inherited?: 'each' | 'once'): Project {
  const project = new Project(kb, { inherited });
  for (const [uri, text] of files) project.update(uri, text);
  return project;
}

function analyseAll(project: Project, files: Array<[string, string]>): Map<string, Diagnostic[]> {
  return new Map(files.map(([uri]) => [uri, project.diagnostics(uri)]));
}

function serialise(all: Map<string, Diagnostic[]>): string {
  return JSON.stringify([...all]);
}

/** A range is inside a document when both ends are on existing lines, within the line's text, in order. */
export function assertRange(lines: LineIndex, range: Range, what: string): void {
  for (const p of [range.start, range.end]) {
    const ok =
      Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.lineCount && p.character >= 0 &&
      p.character <= lines.lineEnd(p.line) - lines.lineStarts[p.line];
    if (!ok) throw new FuzzFailure('range', `${what}: position ${JSON.stringify(p)} outside the document (${lines.lineCount} lines)`);
  }
  const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
  if (!ordered) throw new FuzzFailure('range', `${what}: start after end`);
}

/** Every fix of a diagnostic must give in-range edits whose result parses without throwing. */
function checkFixes(text: string, uri: string, d: Diagnostic, project: Project, kb: KnowledgeBase): number {
  let count = 0;
  for (const fix of d.fixes ?? []) {
    count++;
    try {
      const edits = editsForFix(project.document(uri)!, fix, kb);
      for (const e of edits) {
        if (!(e.span.start >= 0 && e.span.start <= e.span.end && e.span.end <= text.length)) {
          throw new FuzzFailure('fix', `${d.code} fix '${fix.title}' edits ${JSON.stringify(e.span)} outside a ${text.length}-character text`);
        }
      }
      parseDocument(uri, applyEdits(text, edits));
    } catch (error) {
      if (error instanceof FuzzFailure) throw error;
      throw new FuzzFailure('crash', `fix '${fix.title}' of ${d.code}: ${(error as Error).stack}`);
    }
  }
  return count;
}

function flattenSymbols(symbols: Array<{ range: Range; selectionRange: Range; children: unknown[] }>): Range[] {
  const out: Range[] = [];
  const walk = (list: Array<{ range: Range; selectionRange: Range; children: unknown[] }>) => {
    for (const s of list) {
      out.push(s.range, s.selectionRange);
      walk(s.children as typeof list);
    }
  };
  walk(symbols);
  return out;
}
