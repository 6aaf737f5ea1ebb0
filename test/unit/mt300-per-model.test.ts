/**
 * MT300 per cause (`inherited: once`, the language server's default): the bits one CPU
 * model brings in that some host kernel in range lacks are one finding on the line that
 * names the model, listing each bit with its numbers; `each` (the command line's default)
 * keeps one finding per bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import type { Project } from '../../server/src/services/project';
import { applyEdits, editsForFix } from '../../server/src/fixes/apply';
import { diagnosticsOf, load } from './helpers/project';

const kb = getKnowledgeBase();

const analyse = (text: string, inherited: 'each' | 'once') => load({ 'f.mtype': text }, kb, { inherited });

const mt300 = (p: Project) => diagnosticsOf(p, 'f.mtype', 'MT300');

// Broadwell-v1 brings adx, rdseed, smap (KVM from 3.15), xsaveopt (3.18) and arat (4.2).
const BROADWELL_BITS = ['adx', 'arat', 'rdseed', 'smap', 'xsaveopt'];
/** The same bits in CPUID order (leaf, register, bit), as a grouped finding lists them. */
const IN_CPUID_ORDER = ['arat', 'rdseed', 'adx', 'smap', 'xsaveopt'];
const FAMILY = `machine base {
  qemu 6.0
  host-kernel >= 3.10
  cpu Broadwell-v1
}

machine child extends base {
}

machine newer extends base {
  host-kernel >= 4.0
}
`;

test('each: one MT300 per bit, on the cpu line and at the names of the machines that inherit it', () => {
  const found = mt300(analyse(FAMILY, 'each'));
  const onCpu = found.filter((d) => d.range.start.line === 3);
  assert.deepEqual(onCpu.map((d) => /includes (\S+)/.exec(d.message)?.[1]), BROADWELL_BITS);
  assert.equal(found.filter((d) => d.range.start.line === 6).length, 5, 'child: the same five');
  assert.deepEqual(found.filter((d) => d.range.start.line === 9).map((d) => /includes (\S+)/.exec(d.message)?.[1]), ['arat'], 'newer: only arat (4.2) is after 4.0');
});

test('once: the model\'s bits are one finding on the cpu line, listing each with its numbers; a machine with the same verdicts folds into it', () => {
  const found = mt300(analyse(FAMILY, 'once'));
  const onCpu = found.filter((d) => d.range.start.line === 3);
  assert.equal(onCpu.length, 1);
  const message = onCpu[0].message;
  assert.match(message, /^Broadwell-v1 includes 5 bits that some host kernel base allows \(host-kernel >= 3\.10\) lacks, as KVM exposes them: /);
  assert.match(message, /arat \(CPUID 0x6 EAX\[2\]\) from Linux 4\.2; rdseed \(CPUID 0x7\.0 EBX\[18\]\) from Linux 3\.15; adx \(CPUID 0x7\.0 EBX\[19\]\) from Linux 3\.15; /);
  assert.match(message, /; Linux 3\.10 lacks them: on such hosts the guest loses them$/);
  // child inherits the same cpu statement and range: shown once, on base, with child listed.
  assert.deepEqual((onCpu[0].related ?? []).map((r) => [r.range.start.line, r.message]), [[6, 'child inherits this too']]);
  // newer's kernels lack only arat: a single bit keeps the per-bit wording.
  const onNewer = found.filter((d) => d.range.start.line === 9);
  assert.equal(onNewer.length, 1);
  assert.match(onNewer[0].message, /^newer inherits cpu Broadwell-v1 from base, which includes arat \(CPUID 0x6 EAX\[2\]\); KVM exposes it from Linux 4\.2; newer allows host-kernel >= 4\.0/);
  assert.equal(found.length, 2);
});

test('once: the grouped finding masks all its bits (preferred), raises host-kernel to the newest floor, or masks one bit', () => {
  const p = analyse(FAMILY, 'once');
  const d = mt300(p).find((x) => x.range.start.line === 3)!;
  const fixes = d.fixes ?? [];
  assert.deepEqual(fixes.map((f) => [f.kind, f.title, !!f.preferred]), [
    ['mask', 'Mask all 5 bits', true],
    ['add-provides', 'Declare that the host kernels of base provide all 5 bits (backports)', false],
    ['set-kernel', 'Raise host-kernel to 4.2', false],
    ...IN_CPUID_ORDER.map((b) => ['mask', `Mask ${b}`, false]),
  ]);
  const doc = p.document('f.mtype')!;
  const masked = applyEdits(doc.text, editsForFix(doc, fixes[0], kb));
  assert.match(masked, /cpu Broadwell-v1\n {2}cpuid \{\n {4}-arat\n {4}-rdseed\n {4}-adx\n {4}-smap\n {4}-xsaveopt\n {2}\}\n/);
  assert.deepEqual(mt300(analyse(masked, 'once')), [], 'masked on base: its family is clean');
  const raised = applyEdits(doc.text, editsForFix(doc, fixes[2], kb));
  assert.deepEqual(mt300(analyse(raised, 'once')).filter((x) => x.range.start.line < 5), [], 'host-kernel >= 4.2: base is clean');
  const one = applyEdits(doc.text, editsForFix(doc, fixes[3], kb));
  assert.match(mt300(analyse(one, 'once'))[0].message, /^Broadwell-v1 includes 4 bits /);
});

test('once: a bit whose floor is not known leaves no raise that covers the group', () => {
  const text = 'machine m {\n  qemu 6.0\n  host-kernel >= 3.10\n  cpu Broadwell-v3\n}\n';
  const [d] = mt300(analyse(text, 'once'));
  assert.match(d.message, /spec-ctrl \(CPUID 0x7\.0 EDX\[26\]\) from a release after Linux 4\.15 \(the first is not known\)/);
  assert.equal(d.fixes?.some((f) => f.kind === 'set-kernel'), false);
});

test('once: a machine\'s own whitelisted bits keep one finding each', () => {
  const text = 'machine m {\n  qemu 6.0\n  host-kernel >= 3.10\n  cpuid {\n    +adx\n    +rdseed\n  }\n}\n';
  const found = mt300(analyse(text, 'once'));
  assert.deepEqual(found.map((d) => [d.range.start.line, /whitelists (\S+)/.exec(d.message)?.[1]]), [[4, 'adx'], [5, 'rdseed']]);
});
