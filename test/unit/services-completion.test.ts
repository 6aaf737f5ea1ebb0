/** Completion: the right list in each place, replacing exactly the partial word. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { load } from './helpers/project';
import { after, positionOf } from './helpers/text-position';
import { completionsAt, type CompletionEntry } from '../../server/src/services/completion';

const kb = miniKb();

/** Completions at the end of `marker` (its nth occurrence) in a one-file project. */
function complete(text: string, marker: string, files: Record<string, string> = {}): CompletionEntry[] {
  const p = load({ 'a.mtype': text, ...files }, kb);
  return completionsAt(p, 'a.mtype', after(text, marker));
}
const labels = (items: CompletionEntry[]) => items.map((i) => i.label);

test('features after +kvm- replace the typed prefix (dashes included), not the sign', () => {
  const text = 'machine m {\n  qemu 1.3\n  cpuid { +kvm- }\n}\n';
  const items = complete(text, '+kvm-');
  const eoi = items.find((i) => i.label === 'kvm-pv-eoi');
  assert.ok(eoi);
  assert.deepEqual(eoi.range, { start: positionOf(text, 'kvm-'), end: after(text, '+kvm-') });
  assert.equal(eoi.detail, 'CPUID 0x40000001 EAX[6]');
  assert.match(eoi.documentation!, /MSR_KVM_PV_EOI_EN \(0x4b564d04\)/);
});

test('a bare sign offers features; deprecated ones are tagged', () => {
  const items = complete('machine m {\n  cpuid -\n}\n', 'cpuid -');
  assert.ok(labels(items).includes('x2apic'));
  assert.equal(items.find((i) => i.label === '3dnow')?.deprecated, true);
  assert.equal(items.find((i) => i.label === 'x2apic')?.deprecated, false);
});

test('bits already enabled rank lower after +, higher after -', () => {
  // qemu 1.3 with kvm: kvm-pv-eoi is a KVM default; avx is not enabled by qemu64
  const plus = complete('machine m {\n  qemu 1.3\n  cpuid +\n}\n', 'cpuid +');
  const rank = (items: CompletionEntry[], name: string) => items.find((i) => i.label === name)!.sortText!;
  assert.ok(rank(plus, 'kvm-pv-eoi') > rank(plus, 'avx'));
  const minus = complete('machine m {\n  qemu 1.3\n  cpuid -\n}\n', 'cpuid -');
  assert.ok(rank(minus, 'kvm-pv-eoi') < rank(minus, 'avx'));
});

test('keywords at statement start inside a machine, machine at top level', () => {
  const inside = complete('machine m {\n  \n}\n', 'machine m {\n  ');
  assert.ok(labels(inside).includes('host-kernel'));
  assert.equal(inside.find((i) => i.label === 'accel')?.insertText, 'accel ${1|kvm,tcg|}');
  assert.equal(inside.find((i) => i.label === 'accel')?.snippet, true);
  const partial = complete('machine m {\n  hos\n}\n', 'hos');
  assert.deepEqual(partial[0].range, { start: positionOf('machine m {\n  hos\n}\n', 'hos'), end: after('machine m {\n  hos\n}\n', 'hos') });
  assert.deepEqual(labels(complete('machine m {\n}\nma', '}\nma')), ['machine']);
});

test('models after cpu and cpuid for; machines after extends; MSRs in migrate', () => {
  assert.ok(labels(complete('machine m {\n  cpu Has\n}\n', 'cpu Has')).includes('Haswell-v1'));
  assert.ok(labels(complete('machine m {\n  cpuid for Haswell, Sky\n}\n', 'Sky')).includes('Skylake-Client-v1'));
  const machines = labels(complete('machine m extends \n', 'extends ', { 'b.mtype': 'machine pc-1.3 {\n}\n' }));
  assert.deepEqual(machines, ['pc-1.3']);
  assert.ok(labels(complete('machine m {\n  migrate MSR_KVM_\n}\n', 'MSR_KVM_')).includes('MSR_KVM_PV_EOI_EN'));
  assert.ok(labels(complete('machine m {\n  migrate {\n    \n  }\n}\n', '{\n    ')).includes('MSR_IA32_SPEC_CTRL'));
});

test('versions after qemu and host-kernel; kvm/tcg after accel', () => {
  const releases = complete('machine m {\n  qemu \n}\n', 'qemu ');
  const newestFirst = [...releases].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
  assert.deepEqual(labels(newestFirst), ['4.2', '2.11', '2.0', '1.3', '1.2', '1.1']);
  const kernels = complete('machine m {\n  host-kernel >= \n}\n', '>= ');
  assert.ok(labels(kernels).includes('3.6'));
  assert.ok(labels(kernels).includes('2.6.32'));
  assert.match(kernels.find((k) => k.label === '3.6')!.detail!, /kvm-pv-eoi/);
  assert.ok(labels(complete('machine m {\n  host-kernel 3.2 .. 4\n}\n', '.. 4')).includes('4.15'));
  assert.deepEqual(labels(complete('machine m {\n  accel \n}\n', 'accel ')), ['kvm', 'tcg']);
});

test('nothing in comments, strings, or after a complete statement', () => {
  assert.deepEqual(complete('machine m {\n  # cpu \n}\n', '# cpu '), []);
  assert.deepEqual(complete('machine m {\n  description "cpu \n}\n', '"cpu '), []);
  assert.deepEqual(complete('machine m {\n  qemu 1.3 \n}\n', 'qemu 1.3 '), []);
  const p = load({ 'a.mtype': 'machine m {\n}\n' }, kb);
  assert.deepEqual(completionsAt(p, 'a.mtype', { line: 40, character: 3 }), []);
  assert.deepEqual(completionsAt(p, 'other.mtype', { line: 0, character: 0 }), []);
});

test('host-kernel offers provides and versions; after provides, features KVM exposes', () => {
  const first = labels(complete('machine m {\n  host-kernel \n}\n', 'host-kernel '));
  assert.ok(first.includes('provides'));
  assert.ok(first.includes('3.6'));
  const provided = labels(complete('machine m {\n  host-kernel provides \n}\n', 'provides '));
  assert.ok(provided.includes('kvm-pv-eoi'));
  assert.ok(!provided.includes('fpu'), 'fpu has no known KVM floor in the mini KB');
  assert.ok(labels(complete('machine m {\n  host-kernel provides x2apic \n}\n', 'x2apic ')).includes('kvm-pv-eoi'));
});
