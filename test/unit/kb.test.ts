/** The bundled knowledge base: integrity, and agreement with QEMU 7.2's own answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { isVersion } from '../../server/src/common/version';

const kb = getKnowledgeBase();
const root = resolve(__dirname, '../..');
const HEX = /^0x[0-9a-f]+$/;

test('feature names and aliases are unique across the KB', () => {
  const seen = new Map<string, string>();
  for (const f of kb.features) {
    for (const n of [f.name, ...f.aliases]) {
      assert.ok(!seen.has(n), `${n} is used by ${seen.get(n)} and ${f.name}`);
      seen.set(n, f.name);
    }
  }
});

test('no two features on one CPUID bit (QEMU names each bit once)', () => {
  const at = new Map<string, string>();
  for (const f of kb.features) {
    const key = f.leaf === null ? `msr ${f.msrFeatureIndex}/${f.bit}` : `${f.leaf}.${f.subleaf}/${f.register}/${f.bit}`;
    assert.ok(!at.has(key), `${f.name} and ${at.get(key)} share ${key}`);
    at.set(key, f.name);
    if (f.leaf !== null) assert.deepEqual(kb.featuresAt(f.leaf, f.subleaf, f.register!, f.bit).map((x) => x.name), [f.name], 'the location index');
  }
});

test('locations are well formed: lower-case hex, registers, bit range', () => {
  for (const f of kb.features) {
    if (f.leaf === null) {
      assert.match(f.msrFeatureIndex ?? '', HEX, f.name);
      assert.ok(f.bit >= 0 && f.bit < 64, f.name);
    } else {
      assert.match(f.leaf, HEX, f.name);
      assert.ok(['EAX', 'EBX', 'ECX', 'EDX'].includes(f.register ?? ''), f.name);
      assert.ok(Number.isInteger(f.bit) && f.bit >= 0 && f.bit < 32, f.name);
    }
  }
  for (const m of kb.msrs) assert.match(m.index, HEX, m.name);
});

test('every record has a source; versions are versions or null', () => {
  for (const r of [...kb.features, ...kb.msrs, ...kb.models]) assert.ok(r.sources.length > 0, `${r.name} has no source`);
  for (const r of kb.releases) assert.ok(r.sources.length > 0, `release ${r.version} has no source`);
  const versionOrNull = (v: string | null, what: string) => assert.ok(v === null || isVersion(v), `${what}: '${v}'`);
  for (const f of kb.features) {
    versionOrNull(f.qemuSince, `${f.name}.qemuSince`);
    versionOrNull(f.kvmSince, `${f.name}.kvmSince`);
    versionOrNull(f.kvmUntil, `${f.name}.kvmUntil`);
  }
  for (const m of kb.msrs) {
    versionOrNull(m.migratedSince, `${m.name}.migratedSince`);
    versionOrNull(m.kvmSince, `${m.name}.kvmSince`);
  }
  for (const m of kb.models) versionOrNull(m.qemuSince, `${m.name}.qemuSince`);
});

test('every referenced MSR, feature and model exists', () => {
  for (const f of kb.features) {
    for (const n of f.msrs) assert.ok(kb.msr(n), `${f.name} uses unknown MSR ${n}`);
    for (const n of f.dependsOn) assert.ok(kb.feature(n), `${f.name} depends on unknown ${n}`);
  }
  for (const m of kb.msrs) {
    for (const n of m.features) assert.ok(kb.feature(n), `${m.name} names unknown feature ${n}`);
    if (m.stateSharedWith) assert.ok(kb.msr(m.stateSharedWith), `${m.name} shares state with unknown ${m.stateSharedWith}`);
  }
  for (const m of kb.models) for (const n of m.features) assert.ok(kb.feature(n), `${m.name} has unknown feature ${n}`);
  for (const r of kb.releases) for (const n of r.kvmDefaults) assert.ok(kb.feature(n), `QEMU ${r.version} default ${n} unknown`);
  for (const c of kb.modelCompat) {
    assert.ok(kb.feature(c.feature), `compat feature ${c.feature}`);
    assert.ok(c.model === '*' || kb.model(c.model) || kb.models.some((m) => m.family === c.model), `compat model ${c.model}`);
  }
});

test('MSR names, aliases and indexes are unique; roles are state, capability or command', () => {
  const names = new Set<string>();
  const indexes = new Set<string>();
  for (const m of kb.msrs) {
    for (const n of [m.name, ...m.aliases]) {
      assert.ok(!names.has(n), `MSR name ${n} twice`);
      names.add(n);
    }
    assert.ok(!indexes.has(m.index), `MSR index ${m.index} twice`);
    indexes.add(m.index);
    assert.ok(['state', 'capability', 'command'].includes(m.role), m.name);
  }
});

test('facts the contract names: PV EOI, kvmclock _NEW sharing, capability and command MSRs', () => {
  const eoi = kb.feature('kvm-pv-eoi')!;
  assert.deepEqual([eoi.leaf, eoi.register, eoi.bit], ['0x40000001', 'EAX', 6]);
  const eoiMsr = kb.msr('0x4b564d04')!;
  assert.equal(eoiMsr.name, 'MSR_KVM_PV_EOI_EN');
  assert.equal(eoiMsr.role, 'state');
  assert.ok(kb.msrsOfFeature('kvm-pv-eoi').includes(eoiMsr));
  assert.equal(kb.msr('MSR_IA32_ARCH_CAPABILITIES')!.role, 'capability');
  assert.equal(kb.msr('MSR_IA32_PRED_CMD')!.role, 'command');
  assert.equal(kb.msr('MSR_IA32_FLUSH_CMD')!.role, 'command');
  const sysNew = kb.msr('0x4b564d01')!;
  assert.ok(sysNew.stateSharedWith, 'kvmclock _NEW MSRs share state with 0x12');
  assert.equal(kb.msr(sysNew.stateSharedWith!)!.index, '0x12');
  assert.equal(kb.feature('invtsc')!.unmigratable, true);
});

test('loader indexes: aliases, case-insensitive MSR indexes, plain and alias model names', () => {
  assert.equal(kb.feature('sse4_1')?.name, 'sse4.1');
  assert.equal(kb.msr('0x4B564D04')?.name, 'MSR_KVM_PV_EOI_EN');
  assert.match(kb.model('Skylake-Server')!.name, /^Skylake-Server-v1$/);
  assert.match(kb.model('Skylake-Server-IBRS')!.name, /^Skylake-Server-v\d$/);
  assert.ok(kb.suggestFeature('kvm-pv-eio').includes('kvm-pv-eoi'));
});

test('every versioned CPU model of QEMU 7.2 is known, and >= 95 % have exactly its features', () => {
  const fixture = JSON.parse(readFileSync(resolve(root, 'test/fixtures/qemu72-models.json'), 'utf8')) as { models: Record<string, string[]> };
  // QEMU 7.2 answered under TCG: kvm-* are always off and vme is forced off; vmx-* follow vmx.
  const comparable = (n: string) => !n.startsWith('kvm') && n !== 'vme' && !n.startsWith('vmx-');
  let same = 0;
  const differ: string[] = [];
  const names = Object.keys(fixture.models);
  assert.ok(names.length >= 70, 'the fixture lists QEMU 7.2 models');
  for (const name of names) {
    const model = kb.model(name);
    assert.ok(model, `QEMU 7.2 model ${name} is in the KB`);
    const ours = new Set(model.features.map((f) => kb.feature(f)!.name).filter(comparable));
    const theirs = new Set(fixture.models[name].map((f) => kb.feature(f)?.name ?? f).filter(comparable));
    if (ours.size === theirs.size && [...ours].every((f) => theirs.has(f))) same++;
    else differ.push(name);
  }
  assert.ok(same / names.length >= 0.95, `only ${same}/${names.length} agree; differ: ${differ.join(', ')}`);
});

test('every feature property QEMU 7.2 accepts is known (>= 98 %)', () => {
  const ref = JSON.parse(readFileSync(resolve(root, 'test/fixtures/kb-reference-qemu72.json'), 'utf8')) as { featureProperties: string[] };
  // Boolean CPU properties that are not CPUID or MSR-feature bits (QEMU 7.2 max-x86_64-cpu).
  const notBits = new Set('check enforce cpuid-0xb fill-mtrr-mask full-cpuid-auto-level host-cache-info host-phys-bits kvm kvm-no-smi-migration kvm-pv-enforce-cpuid l3-cache lmce migratable pmu start-powered-off tcg-cpuid vmware-cpuid-freq x-force-features x-hv-synic-kvm-only x-intel-pt-auto-level x-migrate-smi-count x-vendor-cpuid-only'.split(' '));
  const bits = ref.featureProperties.filter((n) => !n.startsWith('hv-') && !notBits.has(n));
  assert.ok(bits.length > 300);
  const missing = bits.filter((n) => !kb.feature(n));
  assert.ok((bits.length - missing.length) / bits.length >= 0.98, `missing: ${missing.join(', ')}`);
});

test('releases are ordered, and KVM defaults grow the way QEMU history says', () => {
  const v = kb.releases.map((r) => r.version);
  assert.ok(v.length >= 20);
  const defaults = (x: string) => new Set(kb.releaseFor(x)?.kvmDefaults ?? []);
  assert.ok(!defaults('1.2').has('kvm-pv-eoi'), 'PV EOI off for 1.2 machine types');
  assert.ok(defaults('1.3').has('kvm-pv-eoi'), 'PV EOI on from 1.3');
  assert.ok(!defaults('1.7').has('x2apic'), 'x2apic off for 1.7 machine types');
  assert.ok(defaults('2.0').has('x2apic'), 'x2apic on from 2.0');
});

// ---- round 2: facts read from the release trees ----------------------------------------------

const TREE_SOURCE = /^[\w.-]+\/[\w.-]+:[^@ ]+@[0-9a-f]{12,40}/;
const DOCUMENT_SOURCE = /Message-I[Dd]|stable@vger|pull|\[PATCH|kvm_community/i;

test('every dated fact names a tree and commit (or, for a kernel floor, a mail or pull request)', () => {
  for (const f of kb.features) {
    if (f.qemuSince) assert.ok(f.sources.some((s) => /^qemu\/qemu:[^@]+@[0-9a-f]{12}$/.test(s)), `${f.name}: qemuSince without a release tree`);
    if (f.kvmSince) assert.ok(f.sources.some((s) => TREE_SOURCE.test(s) || DOCUMENT_SOURCE.test(s)), `${f.name}: kvmSince without a tree or mail`);
  }
  for (const m of kb.models) if (m.qemuSince) assert.ok(m.sources.some((s) => /^qemu\/qemu:[^@]+@[0-9a-f]{12}$/.test(s)), `${m.name}: qemuSince without a release tree`);
  for (const m of kb.msrs) {
    if (m.migratedSince && !m.stateSharedWith) assert.ok(m.sources.some((s) => /^qemu\/qemu:[^@]+@[0-9a-f]{12}/.test(s)), `${m.name}: migratedSince without a release tree`);
  }
});

test('kernel floors as the trees show them: per vendor, emulated-only lists and KVM-internal use excluded, the leaf QEMU reads', () => {
  const f = (n: string) => kb.feature(n)!;
  assert.deepEqual(f('rdtscp').kvmSinceByVendor, { intel: '2.6.34', amd: '4.5' }, 'VMX offered RDTSCP long before SVM');
  assert.equal(f('rdtscp').kvmSince, '4.5', 'a vendor-neutral model needs the later floor');
  assert.equal(f('rdpid').kvmSince, '5.4', 'RDPID was only in KVM_GET_EMULATED_CPUID before');
  assert.equal(f('kvm-asyncpf').kvmSince, '3.0', 'the paravirt leaf, not KVM_CAP_ASYNC_PF');
  assert.deepEqual(f('vgif').kvmSinceByVendor, { amd: '5.19' }, 'offered to guests, not only used by KVM');
  assert.equal(f('kvm-mmu').kvmUntil, '2.6.34');
  assert.equal(f('md-clear').kvmSince, '5.2');
  assert.ok(f('md-clear').kvmStable!.includes('4.19.43') && f('md-clear').kvmStable!.includes('4.14.119'));
  assert.equal(f('spec-ctrl').kvmSince, null, 'bracketed (4.15 lacks it, the only 4.16 tree is a point release): unknown, not guessed');
});

test('MSRs migrate under KVM from the release whose kvm.c also gets and puts them', () => {
  const m = (n: string) => kb.msr(n)!;
  assert.equal(m('MSR_TSC_AUX').migratedSince, '2.5');
  assert.equal(m('MSR_TSC_AUX').vmstateSince, '0.12');
  assert.equal(m('MSR_MTRRdefType').migratedSince, '2.2');
  assert.ok(kb.msrsOfFeature('mtrr').length >= 28, 'fixed and variable MTRRs are listed');
  assert.ok(kb.msrsOfFeature('mca').some((x) => x.name === 'MSR_IA32_MC0_STATUS'), 'machine-check banks are listed');
  assert.ok(m('MSR_IA32_FEATURE_CONTROL').features.includes('sgx'));
  assert.ok(m('MSR_KVM_ASYNC_PF_EN').features.includes('kvm-asyncpf-vmexit'));
});

test('release-bound facts: blocks, dependencies, KVM defaults as each release had them', () => {
  const f = (n: string) => kb.feature(n)!;
  assert.deepEqual(f('arch-capabilities').migrationBlocks!.map((b) => [b.from, b.until]), [['3.1', '4.0']]);
  assert.equal(f('invtsc').migrationBlocks![0].liftedByTscFrequencyFrom, '2.9');
  assert.deepEqual(f('fred').dependsOnInReleases!.map((d) => [d.feature, d.from, d.until]), [['wrmsrns', '9.1', '10.1']]);
  const follows = kb.releases.filter((r) => r.kvmDefaultsFollowHost).map((r) => r.version);
  assert.deepEqual(follows, ['0.15', '1.0', '1.1']);
  assert.ok(kb.releaseFor('2.2')!.kvmDefaultsOff!.includes('svm'));
  const haswellV2 = kb.models.find((m) => m.name === 'Haswell-v2')!;
  assert.deepEqual(haswellV2.aliasDates!['Haswell-noTSX'], { since: '2.3', until: null });
  assert.equal(kb.models.find((m) => m.name === 'Icelake-Client-v1')!.qemuUntil, '7.1');
});
