/** Every code of spec §4: fires on a minimal positive case, silent on its negative. Mini KB. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { diagnosticsOf, load, summary } from './helpers/project';

const kb = miniKb();
const only = (code: string) => (d: { code: string }) => d.code === code;
/** Diagnostics of one code in a one-file project. */
function run(text: string, code: string, files: Record<string, string> = {}): string[] {
  const p = load({ 'a.mtype': text, ...files }, kb);
  return summary(p, 'a.mtype', only(code));
}
const clean = (body: string) => `machine m {\n  qemu 2.11\n  accel tcg\n${body}\n}\n`;

test('MT003: a scalar statement repeated', () => {
  assert.deepEqual(run('machine m {\n  qemu 2.0\n  qemu 2.11\n}\n', 'MT003'), ['MT003@qemu 2.11']);
  assert.deepEqual(run('machine m {\n  qemu 2.0\n  cpu qemu64\n}\n', 'MT003'), []);
  // cpuid, migrate and compat may repeat
  assert.deepEqual(run(clean('  cpuid +avx\n  cpuid +fpu'), 'MT003'), []);
});

test('MT100: unknown feature, with did-you-mean', () => {
  const p = load({ 'a.mtype': clean('  cpuid +x2apc') }, kb);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT100');
  assert.match(d.message, /unknown CPUID feature 'x2apc'; did you mean 'x2apic'/);
  assert.deepEqual(d.fixes?.map((f) => f.title), ["Change to 'x2apic'"]);
  assert.deepEqual(run(clean('  cpuid +x2apic'), 'MT100'), []);
});

test('MT101: alias spelling', () => {
  assert.deepEqual(run(clean('  cpuid +sse4_1'), 'MT101'), ['MT101@sse4_1']);
  assert.deepEqual(run(clean('  cpuid +sse4.1'), 'MT101'), []);
});

test('MT102: same bit twice, or + and -, in one machine and scope', () => {
  assert.deepEqual(run(clean('  cpuid +avx\n  cpuid { -avx }'), 'MT102'), ['MT102@-avx']);
  assert.deepEqual(run(clean('  cpuid +avx +avx'), 'MT102'), ['MT102@+avx']);
  assert.deepEqual(run(clean('  cpuid +sse4.1 +sse4_1'), 'MT102'), ['MT102@+sse4_1']);
  // different scopes, or base and child, are not duplicates
  assert.deepEqual(run(clean('  cpuid +avx\n  cpuid for Haswell { -avx }'), 'MT102'), []);
  assert.deepEqual(run('machine b {\n  cpuid +avx\n}\nmachine c extends b {\n  cpuid -avx\n}\n', 'MT102'), []);
});

test('MT103: an enabled bit needs a bit that is not enabled', () => {
  assert.deepEqual(run(clean('  cpuid +avx2'), 'MT103'), ['MT103@+avx2']);
  assert.deepEqual(run(clean('  cpuid +avx +avx2'), 'MT103'), []);
  // masking the dependency of a model bit points at the mask
  assert.deepEqual(run(clean('  cpu Haswell\n  cpuid -avx'), 'MT103'), ['MT103@-avx']);
});

test('MT104: feature newer than the QEMU release', () => {
  const p = load({ 'a.mtype': 'machine m {\n  qemu 2.0\n  accel tcg\n  cpuid +spec-ctrl\n}\n' }, kb);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT104');
  assert.match(d.message, /QEMU 2\.0 does not know spec-ctrl \(CPUID 0x7\.0 EDX\[26\]\): it first appeared in QEMU 2\.11/);
  assert.deepEqual(run(clean('  cpuid +spec-ctrl'), 'MT104'), []);
});

test('MT110: unknown CPU model in cpu and cpuid for', () => {
  assert.deepEqual(run(clean('  cpu Haswel\n  cpuid for Skylake-Clint { +avx }'), 'MT110'), ['MT110@Haswel', 'MT110@Skylake-Clint']);
  assert.deepEqual(run(clean('  cpu Haswell-v1\n  cpuid for Skylake-Client { +avx }'), 'MT110'), []);
});

test('MT111: unknown base, with did-you-mean across files', () => {
  assert.deepEqual(run('machine m extends pc-1.33 {\n}\n', 'MT111', { 'b.mtype': 'machine pc-1.3 {\n}\n' }), ['MT111@pc-1.33']);
  assert.deepEqual(run('machine m extends pc-1.3 {\n}\n', 'MT111', { 'b.mtype': 'machine pc-1.3 {\n}\n' }), []);
});

test('MT112: inheritance cycle, reported on each member, never looping', () => {
  const p = load({ 'a.mtype': 'machine a extends b {\n}\nmachine b extends a {\n}\nmachine c extends a {\n}\n' }, kb);
  assert.deepEqual(summary(p, 'a.mtype', only('MT112')), ['MT112@b', 'MT112@a']);
  assert.deepEqual(run('machine a {\n}\nmachine b extends a {\n}\n', 'MT112'), []);
  assert.deepEqual(run('machine a extends a {\n}\n', 'MT112'), ['MT112@a']);
});

test('MT113: machine defined twice in the workspace', () => {
  const p = load({ 'a.mtype': 'machine m {\n}\n', 'b.mtype': 'machine m {\n}\n' }, kb);
  assert.deepEqual(summary(p, 'a.mtype', only('MT113')), ['MT113@m']);
  assert.deepEqual(summary(p, 'b.mtype', only('MT113')), ['MT113@m']);
  assert.deepEqual(run('machine m {\n}\nmachine n {\n}\n', 'MT113'), []);
});

test('MT114: CPU model newer than the QEMU release', () => {
  assert.deepEqual(run('machine m {\n  qemu 2.0\n  accel tcg\n  cpu Skylake-Client\n}\n', 'MT114'), ['MT114@Skylake-Client']);
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  accel tcg\n  cpu Skylake-Client\n}\n', 'MT114'), []);
});

test('MT120: unknown MSR in migrate (name or index)', () => {
  assert.deepEqual(run(clean('  migrate MSR_KVM_PV_EOI 0x999'), 'MT120'), ['MT120@MSR_KVM_PV_EOI', 'MT120@0x999']);
  assert.deepEqual(run(clean('  migrate IA32_TSC_DEADLINE 0x4B564D05'), 'MT120'), []);
});

test('MT121: migrate entry already migrated by the release', () => {
  assert.deepEqual(run(clean('  migrate MSR_KVM_PV_EOI_EN MSR_KVM_POLL_CONTROL'), 'MT121'), ['MT121@MSR_KVM_PV_EOI_EN']);
});

test('MT200: unmigrated state MSR, from a whitelist, a model and a KVM default', () => {
  const p = load({ 'a.mtype': 'machine pc-1.1 {\n  qemu 1.1\n  host-kernel >= 3.6\n  cpuid +kvm-pv-eoi\n}\n' }, kb);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT200');
  assert.equal(
    d.message,
    'machine pc-1.1 whitelists kvm-pv-eoi (CPUID 0x40000001 EAX[6]); the guest of pc-1.1 writes MSR_KVM_PV_EOI_EN (0x4b564d04), which QEMU 1.1 does not migrate under KVM (it must both send it and restore it through KVM); first migrated in 1.3: live migration loses it',
  );
  assert.deepEqual(d.fixes?.map((f) => f.kind), ['mask', 'add-migrate', 'set-qemu']);
  // declared migration, or a release that migrates it: silent
  assert.deepEqual(run('machine m {\n  qemu 1.1\n  accel tcg\n  cpuid +kvm-pv-eoi\n  migrate MSR_KVM_PV_EOI_EN\n}\n', 'MT200'), []);
  assert.deepEqual(run('machine m {\n  qemu 1.3\n  accel tcg\n  cpuid +kvm-pv-eoi\n}\n', 'MT200'), []);
  // a name the release does not know is MT104, and MT200 does not stack on it
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +kvm-poll-control\n}\n', 'MT200'), []);
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +kvm-poll-control\n}\n', 'MT104'), ['MT104@kvm-poll-control']);
});

test('MT200 never fires for capability or command MSRs, nor for kvmclock (state shared with 0x11/0x12)', () => {
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +arch-capabilities +spec-ctrl +kvmclock\n}\n', 'MT200'), []);
});

test('MT201: a bit that blocks migration, unless follows-host', () => {
  assert.deepEqual(run(clean('  cpuid +invtsc'), 'MT201'), ['MT201@+invtsc']);
  assert.deepEqual(run(clean('  follows-host\n  cpuid +invtsc'), 'MT201'), []);
});

test('MT202: a migrate MSR, whose gating bit the machine exposes, some host kernel in range cannot restore', () => {
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  host-kernel >= 3.10\n  cpuid +spec-ctrl\n  migrate MSR_IA32_SPEC_CTRL\n}\n', 'MT202'), ['MT202@MSR_IA32_SPEC_CTRL']);
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  host-kernel >= 4.15\n  cpuid +spec-ctrl\n  migrate MSR_IA32_SPEC_CTRL\n}\n', 'MT202'), []);
  // the guest never writes an MSR whose gating bit it lacks; TCG restores no MSR through KVM
  assert.deepEqual(run('machine m {\n  qemu 2.0\n  host-kernel >= 3.10\n  migrate MSR_IA32_SPEC_CTRL\n}\n', 'MT202'), []);
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  accel tcg\n  host-kernel >= 3.10\n  cpuid +spec-ctrl\n  migrate MSR_IA32_SPEC_CTRL\n}\n', 'MT202'), []);
});

test('MT300: KVM default needs a newer kernel than host-kernel (the pc-1.3 story)', () => {
  const p = load({ 'a.mtype': 'machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.2\n  cpuid +kvmclock +kvm-steal-time +kvm-pv-eoi\n}\n' }, kb);
  assert.deepEqual(summary(p, 'a.mtype', only('MT300')), ['MT300@+kvm-pv-eoi']);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT300');
  assert.match(d.message, /kvm-pv-eoi \(CPUID 0x40000001 EAX\[6\]\); KVM exposes it from Linux 3\.6; pc-1\.3 allows host-kernel >= 3\.2, and Linux 3\.2 lacks it/);
  assert.equal(d.fixes?.find((f) => f.preferred)?.kind, 'mask');
  // from the KVM defaults: pointed at the qemu line
  assert.deepEqual(run('machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.2\n}\n', 'MT300'), ['MT300@qemu 1.3']);
  assert.deepEqual(run('machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.6\n}\n', 'MT300'), []);
  // tcg does not depend on the host kernel
  assert.deepEqual(run('machine pc-1.3 {\n  qemu 1.3\n  accel tcg\n  host-kernel >= 3.2\n  cpuid +kvm-pv-eoi\n}\n', 'MT300'), []);
});

test('MT300: a bit KVM dropped before the newest kernel in range', () => {
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  host-kernel >= 4.0\n  cpu Skylake-Client\n}\n', 'MT300'), ['MT300@cpu Skylake-Client']);
  assert.deepEqual(run('machine m {\n  qemu 2.11\n  host-kernel 4.0..5.10\n  cpu Skylake-Client\n}\n', 'MT300'), []);
});

test('MT301: cpu host/max outside a follows-host machine, under KVM only', () => {
  const kvm = (body: string) => `machine m {\n  qemu 2.11\n${body}\n}\n`;
  assert.deepEqual(run(kvm('  cpu host'), 'MT301'), ['MT301@host']);
  assert.deepEqual(run(kvm('  cpu max'), 'MT301'), ['MT301@max']);
  assert.deepEqual(run(kvm('  cpu host\n  follows-host'), 'MT301'), []);
  // TCG: max is what the emulator implements, not the host
  assert.deepEqual(run(clean('  cpu max'), 'MT301'), []);
  assert.deepEqual(run(clean('  cpu host'), 'MT301'), []);
  // inherited: reported on the child's name
  assert.deepEqual(run('machine b {\n  cpu host\n  follows-host\n}\nmachine c extends b {\n}\n', 'MT301'), []);
});

test('MT302: bits only from KVM defaults, one diagnostic with one fix for all and one per bit', () => {
  const p = load({ 'a.mtype': 'machine m {\n  qemu 1.2\n  host-kernel >= 3.6\n}\n' }, kb);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT302');
  assert.equal(p.document('a.mtype')!.text.slice(d.span.start, d.span.end), 'qemu 1.2');
  assert.match(d.message, /2 bits reach the guest of m only through QEMU 1\.2's KVM defaults/);
  assert.deepEqual(d.fixes?.map((f) => f.title), ['Whitelist all 2 KVM default bits', 'Whitelist kvmclock', 'Whitelist kvm-steal-time']);
  assert.deepEqual(run('machine m {\n  qemu 1.2\n  cpuid +kvmclock +kvm-steal-time\n}\n', 'MT302'), []);
  assert.deepEqual(run('machine m {\n  qemu 1.2\n  accel tcg\n}\n', 'MT302'), []);
});

test('MT400: deprecated model, feature and base machine', () => {
  assert.deepEqual(run(clean('  cpu Opteron_G1\n  cpuid +3dnow'), 'MT400'), ['MT400@Opteron_G1', 'MT400@3dnow']);
  assert.deepEqual(run('machine old {\n  deprecated "gone"\n}\nmachine m extends old {\n}\n', 'MT400'), ['MT400@old']);
  assert.deepEqual(run(clean('  cpu Haswell'), 'MT400'), []);
});

test('MT500: the same compat property twice', () => {
  assert.deepEqual(run(clean('  compat e1000.autonegotiation = off\n  compat e1000.autonegotiation = on'), 'MT500'), ['MT500@compat e1000.autonegotiation = on']);
  assert.deepEqual(run(clean('  compat e1000.autonegotiation = off\n  compat e1000.mitigation = off'), 'MT500'), []);
});

test('inherited problems are reported on the child name with related information', () => {
  const p = load(
    {
      'base.mtype': 'machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.6\n  cpuid +kvmclock +kvm-steal-time +kvm-pv-eoi\n}\n',
      'a.mtype': 'machine pc-1.1 extends pc-1.3 {\n  qemu 1.1\n}\n',
    },
    kb,
  );
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT200');
  assert.equal(p.document('a.mtype')!.text.slice(d.span.start, d.span.end), 'pc-1.1');
  assert.equal(d.related?.[0].uri, 'base.mtype');
  assert.match(d.related![0].message, /machine pc-1\.3/);
});

test('suppression comments: end of line and own line, and severity overrides', () => {
  const text = 'machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +invtsc # mtype-ignore: MT201\n  # mtype-ignore: MT100\n  cpuid +bogus\n  cpuid +bogus2\n}\n';
  const p = load({ 'a.mtype': text }, kb);
  assert.deepEqual(summary(p, 'a.mtype', (d) => d.code === 'MT201' || d.code === 'MT100'), ['MT100@bogus2']);
  const off = load({ 'a.mtype': clean('  cpuid +bogus') }, kb, { severity: { MT100: 'off' } });
  assert.deepEqual(summary(off, 'a.mtype'), []);
  const warn = load({ 'a.mtype': clean('  cpuid +bogus') }, kb, { severity: { MT100: 'warning' } });
  assert.equal(warn.diagnostics('a.mtype')[0].severity, 'warning');
});

test('effective CPUID: model compat deltas apply to old releases only', () => {
  const old = load({ 'a.mtype': 'machine m {\n  qemu 2.0\n  accel tcg\n  cpuid for Opteron_G2 { -x2apic }\n}\n' }, kb);
  assert.deepEqual(summary(old, 'a.mtype'), []);
});

test('incremental: editing a base re-checks the child in another file', () => {
  const p = load({ 'base.mtype': 'machine b {\n  qemu 1.3\n  accel tcg\n}\n', 'child.mtype': 'machine c extends b {\n  cpuid +kvm-pv-eoi\n}\n' }, kb);
  assert.deepEqual(summary(p, 'child.mtype', only('MT200')), []);
  const dirty = p.update('base.mtype', 'machine b {\n  qemu 1.1\n  accel tcg\n}\n');
  assert.ok(dirty.has('child.mtype'));
  assert.deepEqual(summary(p, 'child.mtype', only('MT200')), ['MT200@+kvm-pv-eoi']);
  // an unrelated file is not re-analysed
  const other = p.update('other.mtype', 'machine z {\n}\n');
  assert.ok(!other.has('child.mtype'));
  // removing the base makes the child's extends unknown
  p.remove('base.mtype');
  assert.deepEqual(summary(p, 'child.mtype', only('MT111')), ['MT111@b']);
});

test('host-kernel floor: applies to machines that state none; the newer of floor and release minimum counts', () => {
  const text = 'machine m {\n  qemu 4.2\n  cpuid +kvmclock +kvm-steal-time +kvm-pv-eoi +x2apic +kvm-poll-control\n}\n';
  assert.deepEqual(summary(load({ 'a.mtype': text }, kb), 'a.mtype', only('MT300')), []);
  const floored = load({ 'a.mtype': text }, kb, { hostKernelFloor: '4.19' });
  const [d] = diagnosticsOf(floored, 'a.mtype', 'MT300');
  assert.match(d.message, /kvm-poll-control .* Linux 5\.2; m allows the configured host-kernel floor \(4\.19\)/);
  // a machine's own host-kernel wins over the floor
  assert.deepEqual(summary(load({ 'a.mtype': text.replace('qemu 4.2', 'qemu 4.2\n  host-kernel >= 5.4') }, kb, { hostKernelFloor: '4.19' }), 'a.mtype', only('MT300')), []);
  // the release minimum (2.6.32 for 1.3 in the mini KB) loses to a newer floor and wins over an older one
  const old = 'machine m {\n  qemu 1.3\n  cpuid +kvmclock +kvm-steal-time +kvm-pv-eoi\n}\n';
  assert.deepEqual(summary(load({ 'a.mtype': old }, kb, { hostKernelFloor: '3.6' }), 'a.mtype', only('MT300')), []);
  assert.deepEqual(summary(load({ 'a.mtype': old }, kb, { hostKernelFloor: '2.6.20' }), 'a.mtype', only('MT300')), ['MT300@+kvm-steal-time', 'MT300@+kvm-pv-eoi']);
});

test('which definition `extends` binds to does not depend on which file changed last', () => {
  const files = { 'a.mtype': 'machine base {\n  qemu 1.3\n  accel tcg\n}\n', 'b.mtype': 'machine base {\n  qemu 1.1\n  accel tcg\n}\n', 'c.mtype': 'machine child extends base {\n  cpuid +kvm-pv-eoi\n}\n' };
  const p = load(files, kb);
  const before = summary(p, 'c.mtype', only('MT200'));
  p.update('a.mtype', files['a.mtype'] + '# touched\n'); // re-indexes a.mtype's machines
  assert.deepEqual(summary(p, 'c.mtype', only('MT200')), before);
  assert.deepEqual(before, []); // a.mtype sorts first: the child binds to QEMU 1.3's base, which migrates PV EOI
});

test('resolve: host-kernel provides accumulates through extends; tsc-frequency is an inherited scalar', () => {
  const p = load({ 'a.mtype': 'machine b {\n  host-kernel provides x2apic\n  tsc-frequency 1000\n}\nmachine c extends b {\n  host-kernel provides mpx\n}\nmachine d extends c {\n  tsc-frequency 2000\n}\n' }, kb);
  const c = p.workspace.resolve(p.workspace.lookup('c')!);
  assert.deepEqual(c.provides.map((x) => x.name.text), ['x2apic', 'mpx']);
  assert.equal(c.tscFrequency?.value, '1000');
  const d = p.workspace.resolve(p.workspace.lookup('d')!);
  assert.deepEqual(d.provides.map((x) => x.name.text), ['x2apic', 'mpx']);
  assert.equal(d.tscFrequency?.value, '2000');
  assert.deepEqual(run('machine m {\n  host-kernel >= 4.19\n  host-kernel provides x2apic\n  tsc-frequency 1\n}\n', 'MT003'), []);
});
