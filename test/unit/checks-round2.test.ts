/**
 * Checks, round 2 (issue 12): vendor floors, stable lines and `host-kernel provides`,
 * release-bound names, blocks and dependencies, KVM-effective migration, version
 * sanity and unknown facts. Each test sets the facts it needs on the mini KB, so none
 * depends on the real data's values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb, type MiniKbFacts } from './helpers/mini-kb';
import { diagnosticsOf, load, summary } from './helpers/project';
import { kernelLine, nextLine } from '../../server/src/checks/kernel-facts';
import { applyEdits, editsForFix } from '../../server/src/fixes/apply';

const only = (code: string) => (d: { code: string }) => d.code === code;
function run(facts: MiniKbFacts, text: string, code: string): string[] {
  return summary(load({ 'a.mtype': text }, miniKb(facts)), 'a.mtype', only(code));
}
function messages(facts: MiniKbFacts, text: string, code: string): string[] {
  return diagnosticsOf(load({ 'a.mtype': text }, miniKb(facts)), 'a.mtype', code).map((d) => d.message);
}
const machine = (body: string, qemu = '4.2') => `machine m {\n  qemu ${qemu}\n${body}\n}\n`;

// ---- stable lines and host-kernel provides -----------------------------------

const MD_CLEAR: MiniKbFacts = { extraFeatures: [['md-clear', '0x7', 'EDX', 10, { kvmSince: '5.2', kvmStable: ['4.19.43', '4.14.119'] }]] };
const mdClear = (kernel: string, extra = '') => machine(`  ${kernel}\n  cpuid +md-clear${extra}`);

test('stable lines: a range on one line from the backport has the bit; >= X includes the mainline releases after X', () => {
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel 4.19.43 .. 4.19.325'), 'MT300'), []);
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel 4.14.119 .. 4.14.336'), 'MT300'), []);
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel >= 5.2'), 'MT300'), []);
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel >= 4.19'), 'MT300'), ['MT300@+md-clear']);
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel 4.14.100 .. 4.14.336'), 'MT300'), ['MT300@+md-clear']);
  // 4.19.43 and later have it, but 4.20 (mainline, before 5.2) never got it
  const [m] = messages(MD_CLEAR, mdClear('host-kernel >= 4.19.43'), 'MT300');
  assert.match(m, /KVM exposes it from Linux 5\.2, or 4\.19\.43 \/ 4\.14\.119 on those lines; m allows host-kernel >= 4\.19\.43, and Linux 4\.20 lacks it/);
  // a line without a backport
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel 5.1.5 .. 5.1.21'), 'MT300'), ['MT300@+md-clear']);
  // a range that spans lines: 4.19.50 .. 5.4 contains 4.20 and 5.0
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel 4.19.50 .. 5.4'), 'MT300'), ['MT300@+md-clear']);
});

test('stable lines: the raise-host-kernel fix names the point release when the range stays on its line', () => {
  const p = load({ 'a.mtype': mdClear('host-kernel 4.19 .. 4.19.325') }, miniKb(MD_CLEAR));
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT300');
  assert.deepEqual(d.fixes?.map((f) => [f.kind, !!f.preferred]), [['mask', true], ['add-provides', false], ['set-kernel', false]]);
  assert.equal(d.fixes?.find((f) => f.kind === 'set-kernel')?.title, 'Raise host-kernel to 4.19.43');
  // raising past the range's newest kernel would empty it: not offered
  const q = load({ 'a.mtype': mdClear('host-kernel 4.14 .. 4.19') }, miniKb(MD_CLEAR));
  assert.ok(!diagnosticsOf(q, 'a.mtype', 'MT300')[0].fixes?.some((f) => f.kind === 'set-kernel'));
});

test('host-kernel provides: the fleet carries the backport; it accumulates through extends', () => {
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel >= 4.19', '\n  host-kernel provides md-clear'), 'MT300'), []);
  const text = 'machine rhel8 {\n  qemu 4.2\n  host-kernel >= 4.18\n  host-kernel provides md-clear\n}\nmachine child extends rhel8 {\n  cpuid +md-clear\n}\n';
  assert.deepEqual(run(MD_CLEAR, text, 'MT300'), []);
  // the declare-provides fix removes the finding
  const p = load({ 'a.mtype': mdClear('host-kernel >= 4.19') }, miniKb(MD_CLEAR));
  const doc = p.document('a.mtype')!;
  const fix = diagnosticsOf(p, 'a.mtype', 'MT300')[0].fixes!.find((f) => f.kind === 'add-provides')!;
  const fixed = applyEdits(doc.text, editsForFix(doc, fix, p.kb));
  assert.match(fixed, /host-kernel provides md-clear/);
  assert.deepEqual(summary(load({ 'a.mtype': fixed }, miniKb(MD_CLEAR)), 'a.mtype', only('MT300')), []);
  // names in provides are checked like edits
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel >= 5.2', '\n  host-kernel provides md-clr sse4_1'), 'MT100'), ['MT100@md-clr']);
  assert.deepEqual(run(MD_CLEAR, mdClear('host-kernel >= 5.2', '\n  host-kernel provides sse4_1'), 'MT101'), ['MT101@sse4_1']);
});

test('kvmUntil: a kernel after KVM withdrew the bit lacks it; the stable line of the last one keeps it', () => {
  const body = (k: string) => machine(`  ${k}\n  cpuid +mpx`, '2.11');
  assert.deepEqual(run({}, body('host-kernel 4.0 .. 5.19.100'), 'MT300'), []);
  const [m] = messages({}, body('host-kernel 4.0 .. 6.1'), 'MT300');
  assert.match(m, /KVM stopped exposing it after Linux 5\.19; m allows host-kernel 4\.0 \.\. 6\.1, and Linux 6\.0 lacks it/);
});

test('kernel lines: 2.6 counts in the third part; the next mainline after a series end is the next major', () => {
  const kb = miniKb();
  assert.equal(kernelLine('4.19.43'), '4.19');
  assert.equal(kernelLine('2.6.32.5'), '2.6.32');
  assert.equal(kernelLine('5.2'), '5.2');
  assert.deepEqual(['4.19', '4.20', '2.6.39', '2.6.32', '3.19', '5.19', '6.6'].map((l) => nextLine(l, kb)), ['4.20', '5.0', '3.0', '2.6.33', '4.0', '6.0', '6.7']);
  // kernels.json, when present, knows the list
  const withList = miniKb({ kernels: { releases: [{ version: '6.6', tree: null }, { version: '6.8', tree: null }], stableLines: [], sources: [] } });
  assert.equal(nextLine('6.6', withList), '6.8');
});

// ---- vendor ---------------------------------------------------------------------

const RDTSCP: MiniKbFacts = {
  extraFeatures: [['rdtscp', '0x80000001', 'EDX', 27, { kvmSince: '4.5', kvmSinceByVendor: { intel: '2.6.34', amd: '4.5' } }]],
  extraModels: [
    ['IntelModel-v1', ['fpu', 'rdtscp'], { vendor: 'intel' }],
    ['AmdModel-v1', ['fpu', 'rdtscp'], { vendor: 'amd' }],
    ['HygonModel-v1', ['fpu', 'rdtscp'], { vendor: 'hygon' }],
    ['ZhaoxinModel-v1', ['fpu', 'rdtscp'], { vendor: 'zhaoxin' }],
  ],
};
const onCpu = (model: string) => machine(`  host-kernel >= 3.10\n  cpu ${model}`);

test("vendor: a model's vendor decides whose floor applies; Hygon runs AMD's KVM code, Zhaoxin Intel's", () => {
  assert.deepEqual(run(RDTSCP, onCpu('IntelModel'), 'MT300'), []);
  assert.deepEqual(run(RDTSCP, onCpu('ZhaoxinModel'), 'MT300'), []);
  assert.deepEqual(run(RDTSCP, onCpu('AmdModel'), 'MT300'), ['MT300@cpu AmdModel']);
  assert.deepEqual(run(RDTSCP, onCpu('HygonModel'), 'MT300'), ['MT300@cpu HygonModel']);
  const [m] = messages(RDTSCP, onCpu('AmdModel'), 'MT300');
  assert.match(m, /AmdModel includes rdtscp .*; KVM exposes it on AMD hosts from Linux 4\.5/);
});

test('vendor: vendor-neutral models take the later floor; a vendor without its own floor uses kvmSince', () => {
  assert.deepEqual(run(RDTSCP, machine('  host-kernel >= 3.10\n  cpuid +rdtscp'), 'MT300'), ['MT300@+rdtscp']);
  const intelOnly: MiniKbFacts = { ...RDTSCP, features: { rdtscp: { kvmSinceByVendor: { intel: '2.6.34' }, kvmSince: '4.5' } } };
  assert.deepEqual(run(intelOnly, onCpu('IntelModel'), 'MT300'), []);
  assert.deepEqual(run(intelOnly, onCpu('AmdModel'), 'MT300'), ['MT300@cpu AmdModel']);
  // one machine, two models: checked per model
  assert.deepEqual(run(RDTSCP, machine('  host-kernel >= 3.10\n  cpu IntelModel\n  cpuid for AmdModel { +fpu }'), 'MT300'), ['MT300@AmdModel']);
});

// ---- migration under KVM and TCG ---------------------------------------------

test('MT200: migratedSince (KVM-effective) under KVM, vmstateSince under TCG', () => {
  const facts: MiniKbFacts = { msrs: { MSR_KVM_STEAL_TIME: { vmstateSince: '1.1', migratedSince: '2.0' } } };
  const text = (accel: string) => `machine m {\n  qemu 1.3\n  accel ${accel}\n  host-kernel >= 3.6\n  cpuid +kvm-steal-time\n}\n`;
  assert.deepEqual(run(facts, text('kvm'), 'MT200'), ['MT200@+kvm-steal-time']);
  assert.match(messages(facts, text('kvm'), 'MT200')[0], /does not migrate under KVM .*first migrated in 2\.0/);
  assert.deepEqual(run(facts, text('tcg'), 'MT200'), []);
  // without vmstateSince, TCG falls back to migratedSince
  assert.deepEqual(run({ msrs: { MSR_KVM_STEAL_TIME: { migratedSince: '2.0' } } }, text('tcg'), 'MT200'), ['MT200@+kvm-steal-time']);
});

// ---- release-bound blocks -------------------------------------------------------

test('MT201: invtsc is lifted by a fixed tsc-frequency from the release that allows it', () => {
  const facts: MiniKbFacts = { features: { invtsc: { migrationBlocks: [{ from: null, until: null, liftedByTscFrequencyFrom: '2.11', reason: 'invariant TSC', sources: ['test'] }] } } };
  const tcg = (qemu: string, extra = '') => `machine m {\n  qemu ${qemu}\n  accel tcg\n${extra}  cpuid +invtsc\n}\n`;
  assert.deepEqual(run(facts, tcg('2.0'), 'MT201'), ['MT201@+invtsc']);
  assert.deepEqual(run(facts, tcg('2.0', '  tsc-frequency 2400000000\n'), 'MT201'), ['MT201@+invtsc']);
  assert.deepEqual(run(facts, tcg('2.11', '  tsc-frequency 2400000000\n'), 'MT201'), []);
  // the base's tsc-frequency is inherited
  assert.deepEqual(run(facts, 'machine b {\n  tsc-frequency 1000000000\n}\n' + tcg('2.11').replace('machine m {', 'machine m extends b {'), 'MT201'), []);
  const p = load({ 'a.mtype': tcg('2.11') }, miniKb(facts));
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT201');
  assert.deepEqual(d.fixes?.map((f) => [f.kind, !!f.preferred]), [['mask', true], ['add-statement', false]]);
  const doc = p.document('a.mtype')!;
  const fixed = applyEdits(doc.text, editsForFix(doc, d.fixes![1], p.kb));
  assert.deepEqual(summary(load({ 'a.mtype': fixed }, miniKb(facts)), 'a.mtype', only('MT201')), []);
});

test('MT201: a block bound to releases [from, until) (arch-capabilities in 3.1 only, here 2.11)', () => {
  const facts: MiniKbFacts = { features: { 'arch-capabilities': { migrationBlocks: [{ from: '2.11', until: '4.2', reason: 'blocker', sources: ['test'] }] } } };
  const tcg = (qemu: string) => `machine m {\n  qemu ${qemu}\n  accel tcg\n  cpuid +arch-capabilities\n}\n`;
  assert.deepEqual(run(facts, tcg('2.0'), 'MT201'), []);
  assert.deepEqual(run(facts, tcg('2.11'), 'MT201'), ['MT201@+arch-capabilities']);
  assert.deepEqual(run(facts, tcg('4.2'), 'MT201'), []);
});

test('MT201: nested vmx migrates with QEMU >= liftedByQemuFrom and every host kernel >= kernelFrom; never for follows-host', () => {
  const facts: MiniKbFacts = {
    extraFeatures: [['vmx', '0x1', 'ECX', 5, { migrationBlocks: [{ from: null, until: null, liftedByQemuFrom: '4.2', kernelFrom: '5.8', reason: 'nested state', sources: ['test'] }] }]],
  };
  const kvm = (qemu: string, kernel: string, extra = '') => `machine m {\n  qemu ${qemu}\n  host-kernel ${kernel}\n${extra}  cpuid +vmx\n}\n`;
  assert.deepEqual(run(facts, kvm('4.2', '>= 5.8'), 'MT201'), []);
  assert.deepEqual(run(facts, kvm('4.2', '>= 5.4'), 'MT201'), ['MT201@+vmx']);
  assert.deepEqual(run(facts, kvm('2.11', '>= 5.8'), 'MT201'), ['MT201@+vmx']);
  assert.deepEqual(run(facts, kvm('2.11', '>= 5.8', '  follows-host\n'), 'MT201'), []);
});

// ---- KVM defaults that follow the host -------------------------------------------

test('MT301: QEMU releases whose KVM defaults follow the host kernel, under KVM only', () => {
  const facts: MiniKbFacts = { releases: { '1.1': { kvmDefaultsFollowHost: true } } };
  assert.deepEqual(run(facts, 'machine m {\n  qemu 1.1\n}\n', 'MT301'), ['MT301@qemu 1.1']);
  assert.deepEqual(run(facts, 'machine m {\n  qemu 1.1\n  accel tcg\n}\n', 'MT301'), []);
  assert.deepEqual(run(facts, 'machine m {\n  qemu 1.1\n  follows-host\n}\n', 'MT301'), []);
  assert.deepEqual(run(facts, 'machine m {\n  qemu 1.2\n}\n', 'MT301'), []);
  const p = load({ 'a.mtype': 'machine m {\n  qemu 1.1\n}\n' }, miniKb(facts));
  assert.deepEqual(diagnosticsOf(p, 'a.mtype', 'MT301')[0].fixes?.map((f) => f.title), ['Mark m as follows-host', 'Raise qemu to 1.2, whose KVM defaults are a fixed list']);
  // inherited release: on the child's name, pointing at the base's qemu line
  const q = load({ 'a.mtype': 'machine b {\n  qemu 1.1\n  follows-host\n}\nmachine c {\n  qemu 1.1\n}\nmachine d extends c {\n}\n' }, miniKb(facts));
  assert.deepEqual(summary(q, 'a.mtype', only('MT301')), ['MT301@qemu 1.1', 'MT301@d']);
});

// ---- names as the release had them ------------------------------------------------

test('MT101: `_` for `-` is another spelling QEMU accepts (not an unknown feature)', () => {
  assert.deepEqual(run({}, machine('  accel tcg\n  cpuid +spec_ctrl +kvm_steal_time', '2.11'), 'MT100'), []);
  assert.deepEqual(run({}, machine('  accel tcg\n  cpuid +spec_ctrl +kvm_steal_time', '2.11'), 'MT101'), ['MT101@spec_ctrl', 'MT101@kvm_steal_time']);
  assert.match(messages({}, machine('  accel tcg\n  cpuid +spec_ctrl', '2.11'), 'MT101')[0], /write 'spec-ctrl'/);
});

test('MT104: removed names (qemuUntil), alias dates, preferred fix drops the own edit, inherited edits on the name', () => {
  const facts: MiniKbFacts = { features: { '3dnow': { qemuUntil: '2.11' }, 'kvm-pv-eoi': { aliasDates: { kvm_pv_eoi: { since: '2.0', until: null } } } } };
  const tcg = (qemu: string, edits: string) => `machine m {\n  qemu ${qemu}\n  accel tcg\n  cpuid ${edits}\n}\n`;
  assert.deepEqual(run(facts, tcg('2.11', '+3dnow'), 'MT104'), ['MT104@3dnow']);
  assert.match(messages(facts, tcg('2.11', '+3dnow'), 'MT104')[0], /QEMU 2\.11 no longer knows 3dnow .*: QEMU 2\.11 removed it/);
  assert.deepEqual(run(facts, tcg('2.0', '+3dnow'), 'MT104'), []);
  assert.deepEqual(run(facts, tcg('1.3', '+kvm_pv_eoi'), 'MT104'), ['MT104@kvm_pv_eoi']);
  assert.deepEqual(run(facts, tcg('1.3', '+kvm-pv-eoi'), 'MT104'), []);
  assert.deepEqual(run(facts, tcg('2.0', '+kvm_pv_eoi'), 'MT104'), []);
  const p = load({ 'a.mtype': tcg('2.0', '+spec-ctrl') }, miniKb());
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT104');
  assert.deepEqual(d.fixes?.map((f) => [f.kind, !!f.preferred]), [['remove', true], ['set-qemu', false]]);
  const inherited = load({ 'a.mtype': 'machine b {\n  qemu 2.11\n  accel tcg\n  cpuid +spec-ctrl\n}\nmachine c extends b {\n  qemu 2.0\n}\n' }, miniKb());
  assert.deepEqual(summary(inherited, 'a.mtype', only('MT104')), ['MT104@c']);
  const [i] = diagnosticsOf(inherited, 'a.mtype', 'MT104');
  assert.match(i.message, /c inherits \+spec-ctrl from b, but QEMU 2\.0 does not know spec-ctrl/);
  assert.equal(i.related?.[0].range.start.line, 3);
});

test('MT114: removed models, dated aliases, did-you-mean a model the release has', () => {
  const facts: MiniKbFacts = {
    models: { 'Opteron_G2-v1': { qemuUntil: '2.11' } },
    extraModels: [['Haswell-v2', ['fpu', 'avx'], { qemuSince: '4.2', aliases: ['Haswell-noTSX'], aliasDates: { 'Haswell-noTSX': { since: '2.0', until: null } } }]],
  };
  const on = (qemu: string, cpu: string) => `machine m {\n  qemu ${qemu}\n  accel tcg\n  cpu ${cpu}\n}\n`;
  assert.deepEqual(run(facts, on('2.11', 'Opteron_G2'), 'MT114'), ['MT114@Opteron_G2']);
  assert.match(messages(facts, on('2.11', 'Opteron_G2'), 'MT114')[0], /was removed in QEMU 2\.11/);
  assert.deepEqual(run(facts, on('2.0', 'Opteron_G2'), 'MT114'), []);
  assert.deepEqual(run(facts, on('1.3', 'Haswell-noTSX'), 'MT114'), ['MT114@Haswell-noTSX']);
  assert.deepEqual(run(facts, on('2.0', 'Haswell-noTSX'), 'MT114'), []);
  assert.deepEqual(run(facts, on('2.0', 'Haswell-v2'), 'MT114'), ['MT114@Haswell-v2']);
  const p = load({ 'a.mtype': on('2.11', 'Opteron_G2') }, miniKb(facts));
  const titles = diagnosticsOf(p, 'a.mtype', 'MT114')[0].fixes!.map((f) => f.title);
  assert.ok(titles.every((t) => !t.includes('Opteron_G2')), titles.join('; '));
});

test('MT103: dependencies that held only in some releases', () => {
  const facts: MiniKbFacts = { features: { x2apic: { dependsOnInReleases: [{ feature: 'avx', from: '2.0', until: '2.11', source: 'test' }] } } };
  const tcg = (qemu: string) => `machine m {\n  qemu ${qemu}\n  accel tcg\n  cpuid +x2apic\n}\n`;
  assert.deepEqual(run(facts, tcg('1.3'), 'MT103'), []);
  assert.deepEqual(run(facts, tcg('2.0'), 'MT103'), ['MT103@+x2apic']);
  assert.deepEqual(run(facts, tcg('2.11'), 'MT103'), []);
});

// ---- version sanity -----------------------------------------------------------------

test('MT004: a qemu that is no known release (with the neighbours), newer than the newest, or a kernel newer than any known', () => {
  assert.deepEqual(run({}, 'machine m {\n  qemu 1.4\n}\n', 'MT004'), ['MT004@1.4']);
  const p = load({ 'a.mtype': 'machine m {\n  qemu 1.4\n}\n' }, miniKb());
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT004');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /QEMU 1\.4 is no QEMU release the knowledge base knows; did you mean 1\.3 or 2\.0\?/);
  assert.deepEqual(d.fixes?.map((f) => f.title), ['Change to 1.3', 'Change to 2.0']);
  assert.match(messages({}, 'machine m {\n  qemu 9.0\n}\n', 'MT004')[0], /newer than any release the knowledge base knows \(the newest is 4\.2\)/);
  // a stable point release of a known release is fine
  assert.deepEqual(run({}, 'machine m {\n  qemu 2.11.1\n}\n', 'MT004'), []);
  // kernels: the newest named in the KB (mini KB: 5.19, mpx's kvmUntil), its point releases included
  assert.deepEqual(run({}, 'machine m {\n  host-kernel >= 7.0\n}\n', 'MT004'), ['MT004@7.0']);
  assert.deepEqual(run({}, 'machine m {\n  host-kernel 4.19 .. 5.19.30\n}\n', 'MT004'), []);
  // kernels.json, when present, decides the newest
  const kernels: MiniKbFacts = { kernels: { releases: [{ version: '6.6', tree: null }], stableLines: [{ line: '6.6', last: '6.6.40' }], sources: [] } };
  assert.deepEqual(run(kernels, 'machine m {\n  host-kernel >= 6.6\n}\n', 'MT004'), []);
  assert.deepEqual(run(kernels, 'machine m {\n  host-kernel >= 6.7\n}\n', 'MT004'), ['MT004@6.7']);
  assert.equal(miniKb(kernels).newestKernel, '6.6.40');
  assert.equal(miniKb().newestKernel, '5.19');
});

test('MT005: an empty host-kernel range, with a swap-the-bounds fix; kernel checks skip it', () => {
  const text = 'machine m {\n  qemu 1.3\n  host-kernel 5.4 .. 3.2\n}\n';
  const p = load({ 'a.mtype': text }, miniKb());
  assert.deepEqual(summary(p, 'a.mtype', only('MT005')), ['MT005@5.4 .. 3.2']);
  assert.deepEqual(summary(p, 'a.mtype', only('MT300')), []);
  const [d] = diagnosticsOf(p, 'a.mtype', 'MT005');
  assert.equal(d.severity, 'error');
  const fixed = applyEdits(text, editsForFix(p.document('a.mtype')!, d.fixes![0], p.kb));
  assert.match(fixed, /host-kernel 3\.2 \.\. 5\.4/);
  assert.deepEqual(summary(load({ 'a.mtype': fixed }, miniKb()), 'a.mtype', only('MT005')), []);
});

// ---- unknown facts --------------------------------------------------------------------

test('MT303: one per machine, listing bits without a KVM floor and MSRs without a migration release', () => {
  const [m] = messages({}, 'machine m {\n  qemu 2.11\n  host-kernel >= 4.19\n  cpuid -kvmclock -kvm-steal-time -kvm-pv-eoi -x2apic\n}\n', 'MT303');
  assert.match(m, /2 enabled bits \(fpu, sse4\.1\)/);
  // TCG: no host-kernel facts; an MSR whose migration release is unknown is still listed
  const facts: MiniKbFacts = { msrs: { MSR_IA32_TSC_DEADLINE: { migratedSince: null } } };
  assert.deepEqual(run(facts, 'machine m {\n  qemu 2.11\n  accel tcg\n}\n', 'MT303'), []);
  const [t] = messages(facts, 'machine m {\n  qemu 2.11\n  accel tcg\n  cpuid +tsc-deadline\n}\n', 'MT303');
  assert.match(t, /1 state MSR they use \(MSR_IA32_TSC_DEADLINE \(0x6e0\)\)/);
  assert.doesNotMatch(t, /Linux release/);
  // a provided bit is vouched for by the machine itself
  assert.deepEqual(messages({}, 'machine m {\n  qemu 2.11\n  accel kvm\n  host-kernel >= 4.19\n  host-kernel provides fpu sse4.1\n  cpuid -kvmclock -kvm-steal-time -kvm-pv-eoi -x2apic\n}\n', 'MT303'), []);
  const p = load({ 'a.mtype': 'machine m {\n  qemu 2.11\n}\n' }, miniKb());
  assert.equal(diagnosticsOf(p, 'a.mtype', 'MT303')[0].severity, 'information');
});

// ---- wording ----------------------------------------------------------------------------

test('inherited findings say where the bit comes from, without line numbers', () => {
  const text = 'machine pc-i440fx-2.5 {\n  qemu 2.11\n  host-kernel >= 3.2\n  cpuid +kvm-pv-eoi\n}\nmachine pc-2.4 extends pc-i440fx-2.5 {\n}\n';
  const p = load({ 'a.mtype': text }, miniKb());
  const child = diagnosticsOf(p, 'a.mtype', 'MT300').find((d) => d.range.start.line === 5)!;
  assert.match(child.message, /^pc-2\.4 inherits \+kvm-pv-eoi \(CPUID 0x40000001 EAX\[6\]\) from pc-i440fx-2\.5; KVM exposes it from Linux 3\.6/);
  assert.equal(child.related?.[0].range.start.line, 3);
  for (const d of p.diagnostics('a.mtype')) assert.doesNotMatch(d.message, /line \d/);
});

test("vendor: CPUID vendor strings (QEMU's model table) name the vendor too", () => {
  const facts: MiniKbFacts = {
    ...RDTSCP,
    extraModels: [
      ['EpycLike-v1', ['fpu', 'rdtscp'], { vendor: 'AuthenticAMD' }],
      ['DhyanaLike-v1', ['fpu', 'rdtscp'], { vendor: 'HygonGenuine' }],
      ['XeonLike-v1', ['fpu', 'rdtscp'], { vendor: 'GenuineIntel' }],
    ],
  };
  assert.deepEqual(run(facts, onCpu('EpycLike'), 'MT300'), ['MT300@cpu EpycLike']);
  assert.deepEqual(run(facts, onCpu('DhyanaLike'), 'MT300'), ['MT300@cpu DhyanaLike']);
  assert.deepEqual(run(facts, onCpu('XeonLike'), 'MT300'), []);
});
