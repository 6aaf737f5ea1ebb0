/**
 * Quick-fix soundness (issue 6): on a corpus of bad files, every fix offered for
 * every diagnostic, applied through fixes/apply.ts, leaves a file that
 *  - introduces no new syntax error (MT001/MT002),
 *  - no longer has the diagnostic it fixed (same code, same message, at the
 *    place the fix's edits map the old range to),
 *  - keeps every comment, and keeps CRLF line breaks in CRLF files.
 * A fix may reveal a different finding (whitelisting avx reveals that avx needs
 * xsave); it may not leave the same one behind. Uses the real knowledge base.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { applyEdits, editsForFix, type TextEdit } from '../../server/src/fixes/apply';
import { parseDocument } from '../../server/src/model/document';
import { Project } from '../../server/src/services/project';
import type { Diagnostic, FixIntent } from '../../server/src/common/diagnostic';
import type { Span } from '../../server/src/common/text';

const root = resolve(__dirname, '../..');
const corpusDir = join(root, 'test/fuzz/corpus');
const kb = getKnowledgeBase();
const URI = 'file:///corpus/file.mtype';

/** Codes of spec §4 whose table row lists at least one quick fix. */
const FIXABLE = ['MT002', 'MT003', 'MT004', 'MT005', 'MT100', 'MT101', 'MT102', 'MT103', 'MT104', 'MT110', 'MT111', 'MT114', 'MT120', 'MT121', 'MT200', 'MT201', 'MT202', 'MT300', 'MT301', 'MT302', 'MT500'];
const FIX_KINDS: FixIntent['kind'][] = ['replace', 'remove', 'whitelist', 'mask', 'set-kernel', 'set-qemu', 'add-migrate', 'add-statement', 'add-provides'];

function analyse(text: string): { project: Project; diagnostics: Diagnostic[] } {
  const project = new Project(kb);
  project.update(URI, text);
  return { project, diagnostics: project.diagnostics(URI) };
}

/** Where an old offset lands after the edits (an offset inside a replaced span goes to its edge). */
function mapOffset(offset: number, edits: TextEdit[], side: 'start' | 'end'): number {
  let delta = 0;
  for (const e of edits) {
    if (e.span.end <= offset && !(e.span.start === e.span.end && e.span.start === offset && side === 'start')) {
      delta += e.newText.length - (e.span.end - e.span.start);
    } else if (e.span.start < offset && offset < e.span.end) {
      return e.span.start + delta + (side === 'end' ? e.newText.length : 0);
    }
  }
  return offset + delta;
}

function mapSpan(span: Span, edits: TextEdit[]): Span {
  return { start: mapOffset(span.start, edits, 'start'), end: mapOffset(span.end, edits, 'end') };
}

function overlaps(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function comments(text: string): string[] {
  return parseDocument(URI, text).tree.comments.map((c) => c.body.trim()).sort();
}

function syntaxKeys(list: Diagnostic[]): string[] {
  return list.filter((d) => d.code === 'MT001' || d.code === 'MT002').map((d) => `${d.code} ${d.message}`);
}

interface Outcome {
  codes: Set<string>;
  kinds: Set<string>;
  applied: number;
}

/** Applies every fix of every diagnostic of `text` and checks the result; returns what was covered. */
function checkFile(name: string, text: string): Outcome {
  const outcome: Outcome = { codes: new Set(), kinds: new Set(), applied: 0 };
  const { project, diagnostics } = analyse(text);
  const doc = project.document(URI)!;
  const oldComments = comments(text);
  const oldSyntax = syntaxKeys(diagnostics);
  for (const d of diagnostics) {
    for (const fix of d.fixes ?? []) {
      const where = `${name}: ${d.code} "${d.message}" — fix "${fix.title}"`;
      const edits = [...editsForFix(doc, fix, kb)].sort((a, b) => a.span.start - b.span.start);
      assert.ok(edits.length > 0, `${where}: the fix produces no edit`);
      const fixed = applyEdits(text, edits);
      assert.notEqual(fixed, text, `${where}: the fix changes nothing`);
      const after = analyse(fixed).diagnostics;

      const pool = [...oldSyntax];
      for (const key of syntaxKeys(after)) {
        const i = pool.indexOf(key);
        assert.ok(i >= 0, `${where}: introduces ${key}\n--- result ---\n${fixed}`);
        pool.splice(i, 1);
      }
      const place = mapSpan(d.span, edits);
      const same = after.find((x) => x.code === d.code && x.message === d.message && overlaps(x.span, place));
      assert.equal(same, undefined, `${where}: the same diagnostic is still there\n--- result ---\n${fixed}`);
      assert.deepEqual(comments(fixed), oldComments, `${where}: a comment was lost\n--- result ---\n${fixed}`);
      if (text.includes('\r\n')) assert.ok(!/(^|[^\r])\n/.test(fixed), `${where}: a bare LF in a CRLF file\n--- result ---\n${JSON.stringify(fixed)}`);

      outcome.codes.add(d.code);
      outcome.kinds.add(fix.kind);
      outcome.applied++;
    }
  }
  return outcome;
}

const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.mtype'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(corpusDir, f), 'utf8') }));

test('every fix on every corpus diagnostic is sound (LF)', () => {
  const codes = new Set<string>();
  const kinds = new Set<string>();
  let applied = 0;
  for (const { name, text } of corpus) {
    const o = checkFile(name, text);
    o.codes.forEach((c) => codes.add(c));
    o.kinds.forEach((k) => kinds.add(k));
    applied += o.applied;
  }
  // The corpus must keep covering every fixable code and every kind of fix, or the test proves less than it says.
  assert.deepEqual(FIXABLE.filter((c) => !codes.has(c)), [], 'fixable codes the corpus does not raise');
  assert.deepEqual(FIX_KINDS.filter((k) => !kinds.has(k)), [], 'fix kinds the corpus does not exercise');
  assert.ok(applied >= 50, `only ${applied} fixes applied`);
});

test('every fix on every corpus diagnostic is sound with CRLF line breaks, and keeps CRLF', () => {
  for (const { name, text } of corpus) checkFile(`${name} (CRLF)`, text.replace(/\r?\n/g, '\r\n'));
});

test('whitelisting on a machine without a cpuid statement creates a cpuid block that parses', () => {
  for (const text of ['machine a {\n  qemu 1.3\n  cpu qemu64\n}\n', 'machine a { qemu 1.3 }\n', 'machine a {\n}\n', 'machine a\n{\n\tqemu 1.3\n}\n']) {
    const { project, diagnostics } = analyse(text);
    const mt302 = diagnostics.find((d) => d.code === 'MT302');
    assert.ok(mt302, `MT302 expected for ${JSON.stringify(text)}`);
    for (const fix of mt302.fixes ?? []) {
      const fixed = applyEdits(text, editsForFix(project.document(URI)!, fix, kb));
      const tree = parseDocument(URI, fixed).tree;
      assert.deepEqual(tree.diagnostics, [], `${fix.title} on ${JSON.stringify(text)} gives\n${fixed}`);
      const cpuid = tree.machines[0].statements.filter((s) => s.kind === 'cpuid');
      assert.equal(cpuid.length, 1, fixed);
      if (fix.kind === 'whitelist') assert.deepEqual(cpuid[0].kind === 'cpuid' && cpuid[0].edits.map((e) => e.feature.text), fix.features);
    }
  }
});

test('a fix on a line with a comment keeps the comment on that line', () => {
  const text = 'machine a {\n  qemu 4.2\n  cpu qemu64\n  cpuid +x2apc   # typo here\n  cpuid { +x2apic }\n  cpuid { +x2apic }  # twice\n}\n';
  const { project, diagnostics } = analyse(text);
  const doc = project.document(URI)!;
  const mt100 = diagnostics.find((d) => d.code === 'MT100')!;
  const replaced = applyEdits(text, editsForFix(doc, mt100.fixes![0], kb));
  assert.match(replaced, /\n {2}cpuid \+x2apic {3}# typo here\n/);
  const mt102 = diagnostics.find((d) => d.code === 'MT102')!;
  const removed = applyEdits(text, editsForFix(doc, mt102.fixes![0], kb));
  assert.match(removed, /# twice/);
  assert.deepEqual(parseDocument(URI, removed).tree.diagnostics, []);
});

// Regression: MT002 once offered 'cpu' for 'cpuidd +x2apic', which leaves "expected a CPU model" behind.
test('MT002 did-you-mean offers only keywords with which the line parses', () => {
  const titles = (text: string) => analyse(text).diagnostics.filter((d) => d.code === 'MT002').flatMap((d) => (d.fixes ?? []).map((f) => f.title));
  assert.deepEqual(titles('machine a {\n  cpuidd +x2apic\n}\n'), ["Change to 'cpuid'"]);
  assert.deepEqual(titles('machine a {\n  cpuu Haswell   # note\n}\n'), ["Change to 'cpu'"]);
  assert.deepEqual(titles('machne a {\n  qemu 4.2\n}\n'), ["Change to 'machine'"]);
  assert.deepEqual(titles('machine a {\n  qemmu\n}\n'), [], 'qemu without a version would not parse either');
});
