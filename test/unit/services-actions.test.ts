/** Code actions: each fix applies cleanly, fix-all actions combine without overlap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { load, summary } from './helpers/project';
import { applyRangeEdits } from './helpers/text-position';
import { codeActions, FIX_ALL_KIND, type ActionEntry } from '../../server/src/services/actions';
import type { Project } from '../../server/src/services/project';

const kb = miniKb();

/** Actions for every diagnostic of `code` in a one-file project. */
function actionsFor(p: Project, code: string, only?: string[]): ActionEntry[] {
  const context = p.diagnostics('a.mtype').filter((d) => d.code === code).map((d) => ({ code: d.code, range: d.range }));
  return codeActions(p, 'a.mtype', context, only);
}

/** Applies an action and re-analyses: the codes left, and no syntax errors. */
function applyAndCheck(p: Project, action: ActionEntry): { text: string; codes: string[] } {
  const text = applyRangeEdits(p.document('a.mtype')!.text, action.edits);
  const after = load({ 'a.mtype': text }, kb);
  const codes = summary(after, 'a.mtype').map((s) => s.split('@')[0]);
  assert.ok(!codes.includes('MT001'), `fix left a syntax error:\n${text}`);
  return { text, codes };
}

test('MT300: mask (preferred: it narrows what the guest sees), declare host-kernel provides, raise host-kernel', () => {
  const p = load({ 'a.mtype': 'machine m {\n  qemu 1.3\n  host-kernel >= 3.2\n  accel kvm\n}\n' }, kb);
  const actions = actionsFor(p, 'MT300');
  assert.deepEqual(actions.map((a) => [a.title, a.isPreferred, a.kind]), [
    ['Mask kvm-pv-eoi', true, 'quickfix'],
    ['Declare that the host kernels of m provide kvm-pv-eoi (a backport)', false, 'quickfix'],
    ['Raise host-kernel to 3.6', false, 'quickfix'],
  ]);
  assert.equal(actions[0].diagnostics[0].code, 'MT300');
  const provided = applyAndCheck(p, actions[1]);
  assert.match(provided.text, /host-kernel provides kvm-pv-eoi/);
  assert.ok(!provided.codes.includes('MT300'));
  const raised = applyAndCheck(p, actions[2]);
  assert.match(raised.text, /host-kernel >= 3\.6/);
  assert.ok(!raised.codes.includes('MT300'));
  const masked = applyAndCheck(p, actions[0]);
  assert.match(masked.text, /cpuid \{ -kvm-pv-eoi \}/);
  assert.ok(!masked.codes.includes('MT300'));
});

test('MT302: whitelist all, and one per bit', () => {
  const p = load({ 'a.mtype': 'machine m {\n  qemu 1.2\n  accel tcg\n}\nmachine k extends m {\n  accel kvm # defaults\n}\n' }, kb);
  const context = p.diagnostics('a.mtype').filter((d) => d.code === 'MT302').map((d) => ({ code: d.code, range: d.range }));
  const actions = codeActions(p, 'a.mtype', context);
  assert.deepEqual(actions.map((a) => a.title), ['Whitelist all 2 KVM default bits', 'Whitelist kvmclock', 'Whitelist kvm-steal-time']);
  const { text, codes } = applyAndCheck(p, actions[0]);
  assert.ok(!codes.includes('MT302'));
  assert.match(text, /accel kvm # defaults\n  cpuid \{\n    \+kvmclock\n    \+kvm-steal-time\n  \}\n/);
});

test('only diagnostics named in the context get quick fixes, matched by code and range', () => {
  const p = load({ 'a.mtype': 'machine m {\n  accel tcg\n  cpuid +sse4_1 +x2apc\n}\n' }, kb);
  const mt101 = p.diagnostics('a.mtype').find((d) => d.code === 'MT101')!;
  assert.deepEqual(codeActions(p, 'a.mtype', [{ code: 'MT101', range: mt101.range }], ['quickfix']).map((a) => a.title), ["Use the canonical name 'sse4.1'"]);
  assert.deepEqual(codeActions(p, 'a.mtype', [{ code: 'MT100', range: mt101.range }], ['quickfix']), []);
});

test('fix all in file: one action per code with two or more preferred fixes', () => {
  const p = load({ 'a.mtype': 'machine m {\n  accel tcg\n  cpuid +sse4_1\n  cpuid {\n    -sse4-1\n  }\n}\n' }, kb);
  const actions = actionsFor(p, 'MT101', ['quickfix']);
  const all = actions.find((a) => a.title.startsWith('Fix all MT101'));
  assert.ok(all);
  assert.equal(all.diagnostics.length, 2);
  const { text, codes } = applyAndCheck(p, all);
  assert.ok(!codes.includes('MT101'));
  assert.match(text, /cpuid \+sse4\.1\n  cpuid \{\n    -sse4\.1\n/);
});

test('source.fixAll applies every safe fix (canonical name, single did-you-mean, duplicates) in one edit', () => {
  const text = 'machine m {\n  qemu 2.11\n  qemu 2.11\n  accel tcg\n  cpuid +sse4_1 +avx +avx +x2apc\n  migrate MSR_IA32_TSC_DEADLINE\n}\n';
  const p = load({ 'a.mtype': text }, kb);
  const actions = codeActions(p, 'a.mtype', [], [FIX_ALL_KIND]);
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, FIX_ALL_KIND);
  assert.equal(actions[0].edits.length, 1);
  const fixed = applyAndCheck(p, actions[0]);
  assert.deepEqual(fixed.codes, []);
  assert.equal(fixed.text, 'machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +sse4.1 +avx +x2apic\n}\n');
  // A request for quick fixes only does not include it
  assert.deepEqual(codeActions(p, 'a.mtype', [], ['quickfix']), []);
});

test('unsafe fixes stay out of fix-all: an ambiguous did-you-mean is left alone', () => {
  const p = load({ 'a.mtype': 'machine m {\n  accel tcg\n  cpuid +avx3\n}\n' }, kb);
  const mt100 = p.diagnostics('a.mtype').find((d) => d.code === 'MT100');
  assert.ok(mt100 && (mt100.fixes?.length ?? 0) !== 1);
  assert.deepEqual(codeActions(p, 'a.mtype', [], [FIX_ALL_KIND]), []);
});

test('unknown documents give no actions', () => {
  const p = load({}, kb);
  assert.deepEqual(codeActions(p, 'missing.mtype', [{ code: 'MT100', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }]), []);
});

test('a client that sends no diagnostics gets the fixes of the diagnostics at the requested range; one without codes is matched by range', () => {
  const p = load({ 'a.mtype': 'machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +sse4_1\n}\n' }, kb);
  const [mt101] = p.diagnostics('a.mtype').filter((d) => d.code === 'MT101');
  const cursor = { start: mt101.range.start, end: mt101.range.start };
  assert.deepEqual(codeActions(p, 'a.mtype', [], ['quickfix'], cursor).map((a) => a.title), ["Use the canonical name 'sse4.1'"]);
  assert.deepEqual(codeActions(p, 'a.mtype', [{ range: mt101.range }], ['quickfix']).map((a) => a.title), ["Use the canonical name 'sse4.1'"]);
  const elsewhere = { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
  assert.deepEqual(codeActions(p, 'a.mtype', [], ['quickfix'], elsewhere), []);
});
