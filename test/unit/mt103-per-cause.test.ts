/**
 * MT103 per cause (`inherited: once`, the language server's default): the bits that miss
 * one dependency through one statement (the mask of it, or the model that brings them
 * in) are one finding, whose one fix is to whitelist the dependency; `each` (the command
 * line's default) keeps one finding per bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import type { Project } from '../../server/src/services/project';
import { applyEdits, editsForFix } from '../../server/src/fixes/apply';
import { diagnosticsOf, load } from './helpers/project';

const kb = getKnowledgeBase();

const analyse = (text: string, inherited: 'each' | 'once') => load({ 'f.mtype': text }, kb, { inherited });

const mt103 = (p: Project) => diagnosticsOf(p, 'f.mtype', 'MT103');

// Icelake-Server-v5's AVX-512 bits all need avx512f.
const FAMILY = `machine base {
  qemu 7.2
  cpu Icelake-Server-v5
  cpuid -avx512f
}

machine child extends base {
}
`;

const dependents = (p: Project) => mt103(p).filter((d) => /needs avx512f/.test(d.message)).map((d) => /^(\S+)/.exec(d.message)![1]);

test('each: one MT103 per bit that needs the masked avx512f, on the mask and on the child', () => {
  const found = mt103(analyse(FAMILY, 'each'));
  const onMask = found.filter((d) => d.range.start.line === 3);
  assert.ok(onMask.length >= 5, `the mask breaks several bits: ${onMask.length}`);
  assert.ok(onMask.every((d) => /^\S+ \(CPUID [^)]+\) needs avx512f \(CPUID 0x7\.0 EBX\[16\]\), which is masked in machine base for Icelake-Server-v5$/.test(d.message)));
  assert.equal(found.filter((d) => d.range.start.line === 6).length, onMask.length, 'child: the same bits again');
});

test('once: the bits the mask breaks are one finding on the mask, listing each; the child that inherits it folds in', () => {
  const each = mt103(analyse(FAMILY, 'each')).filter((d) => d.range.start.line === 3).map((d) => /^(\S+)/.exec(d.message)![1]);
  const found = mt103(analyse(FAMILY, 'once'));
  assert.equal(found.length, 1);
  const [d] = found;
  assert.equal(d.range.start.line, 3);
  assert.match(d.message, new RegExp(`^${each.length} bits need avx512f \\(CPUID 0x7\\.0 EBX\\[16\\]\\), which is masked in machine base for Icelake-Server-v5: `));
  for (const bit of each) assert.ok(d.message.includes(`${bit} (CPUID `), `${bit} is listed`);
  assert.deepEqual((d.related ?? []).map((r) => [r.range.start.line, r.message]), [[6, 'child inherits this too']]);
  assert.deepEqual((d.fixes ?? []).map((f) => [f.kind, f.title, !!f.preferred]), [['whitelist', 'Whitelist avx512f', true]]);
});

test('once: its fix clears the mask\'s finding for the whole family', () => {
  const p = analyse(FAMILY, 'once');
  const [d] = mt103(p);
  const doc = p.document('f.mtype')!;
  const fixed = applyEdits(doc.text, editsForFix(doc, d.fixes![0], kb));
  assert.deepEqual(dependents(analyse(fixed, 'once')), []);
  assert.deepEqual(dependents(analyse(fixed, 'each')), []);
});

test('once: a single bit keeps the per-bit wording', () => {
  const one = `machine solo {
  qemu 7.2
  cpu qemu64
  cpuid +avx
}
`;
  const found = mt103(analyse(one, 'once'));
  const each = mt103(analyse(one, 'each'));
  assert.equal(found.length, 1, 'avx needs xsave, which qemu64 lacks');
  assert.deepEqual(found.map((d) => d.message), each.map((d) => d.message));
  assert.ok(found.every((d) => /^\S+ \(CPUID [^)]+\) needs /.test(d.message)));
});
