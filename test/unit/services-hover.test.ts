/** Hover: what each kind of word shows, read from the mini KB and the machine around it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { load } from './helpers/project';
import { positionOf } from './helpers/text-position';
import { hoverAt, sourceLink } from '../../server/src/services/hover';
import { KnowledgeBase } from '../../server/src/kb/knowledge-base';
import type { FeatureRecord } from '../../server/src/kb/types';

const kb = miniKb();
const BASE = 'machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.2\n  cpu Haswell\n  cpuid {\n    +kvm-pv-eoi\n    -x2apic\n  }\n  migrate MSR_KVM_STEAL_TIME\n}\n';
const CHILD = 'machine pc-1.2 extends pc-1.3 {\n  qemu 1.2\n  alias old-pc\n  migrate MSR_KVM_PV_EOI_EN\n}\n';
const project = load({ 'base.mtype': BASE, 'child.mtype': CHILD }, kb);

function hover(uri: string, text: string, marker: string, shift = 1): string {
  const h = hoverAt(project, uri, positionOf(text, marker, shift));
  assert.ok(h, `no hover at '${marker}'`);
  return h.markdown;
}

test('a feature shows its CPUID location, MSRs with index, KVM version and aliases', () => {
  const md = hover('base.mtype', BASE, 'kvm-pv-eoi', 3);
  assert.match(md, /\*\*kvm-pv-eoi\*\*/);
  assert.match(md, /0x40000001 EAX\[6\]/);
  assert.match(md, /MSR_KVM_PV_EOI_EN.*0x4b564d04.*state.*since 1\.3/);
  assert.match(md, /KVM: Linux 3\.6/);
  assert.match(md, /kvm_pv_eoi/);
  assert.match(md, /pc-1\.3 for Haswell: enabled \(whitelist\)/);
});

test('a masked feature says what it would have come from', () => {
  const md = hover('base.mtype', BASE, 'x2apic');
  assert.match(md, /masked/);
});

test('the hover range is the feature name, not the sign', () => {
  const h = hoverAt(project, 'base.mtype', positionOf(BASE, 'kvm-pv-eoi', 2))!;
  assert.deepEqual(h.range, { start: positionOf(BASE, 'kvm-pv-eoi'), end: positionOf(BASE, 'kvm-pv-eoi', 'kvm-pv-eoi'.length) });
});

test('an MSR in migrate says whether this machine migrates it, and how', () => {
  const child = hover('child.mtype', CHILD, 'MSR_KVM_PV_EOI_EN');
  assert.match(child, /0x4b564d04/);
  assert.match(child, /Used by: `kvm-pv-eoi`/);
  assert.match(child, /In pc-1\.2: migrated: declared in `migrate` \(QEMU 1\.2 alone does not\)/);
  const base = hover('base.mtype', BASE, 'MSR_KVM_STEAL_TIME');
  assert.match(base, /In pc-1\.3: migrated by QEMU 1\.3 itself/);
});

test('a machine name (declaration, base or alias) shows the resolved summary', () => {
  const base = hover('child.mtype', CHILD, 'pc-1.3');
  assert.match(base, /\*\*machine pc-1\.3\*\*/);
  assert.match(base, /QEMU 1\.3 · accel kvm · cpu Haswell/);
  assert.match(base, /Host kernels: ≥ 3\.2/);
  assert.match(base, /7 bits: 4 model · 2 kvm-default · 1 whitelist; 1 masked/);
  const child = hover('child.mtype', CHILD, 'pc-1.2');
  assert.match(child, /extends pc-1\.3/);
  assert.match(child, /QEMU 1\.2/);
  const alias = hover('child.mtype', CHILD, 'old-pc');
  assert.match(alias, /machine pc-1\.2.*\(alias old-pc\)/);
});

test('a CPU model shows its bits and what each version changed', () => {
  const md = hover('base.mtype', BASE, 'Haswell');
  assert.match(md, /Haswell-v1/);
  assert.match(md, /5 bits/);
  assert.match(md, /QEMU: since 1\.3/);
});

test('keywords and versions', () => {
  assert.match(hover('base.mtype', BASE, 'host-kernel'), /Host kernels the machine must run on/);
  assert.match(hover('base.mtype', BASE, 'qemu 1.3', 6), /KVM defaults: `kvmclock`, `kvm-steal-time`, `kvm-pv-eoi`/);
  // Haswell's tsc-deadline needs 3.2 (fine); the whitelisted kvm-pv-eoi needs 3.6
  assert.match(hover('base.mtype', BASE, '3.2', 0), /need a newer kernel: `kvm-pv-eoi` \(3\.6, whitelist\)/);
});

test('unknown names and empty places', () => {
  const p = load({ 'a.mtype': 'machine m {\n  cpuid +x2apc\n\n}\n' }, kb);
  assert.match(hoverAt(p, 'a.mtype', { line: 1, character: 10 })!.markdown, /not a CPUID feature the knowledge base knows/);
  assert.equal(hoverAt(p, 'a.mtype', { line: 2, character: 0 }), undefined);
  assert.equal(hoverAt(p, 'nope.mtype', { line: 0, character: 0 }), undefined);
  assert.equal(hoverAt(p, 'a.mtype', { line: 99, character: 99 }), undefined);
});

test('sources become links to the right forge; other sources stay text', () => {
  assert.equal(sourceLink('qemu/qemu:target/i386/cpu.c'), '[qemu/qemu:target/i386/cpu.c](https://gitlab.com/qemu-project/qemu/-/blob/master/target/i386/cpu.c)');
  // A pinned ref links to that ref: old paths exist only there
  assert.equal(sourceLink('qemu/qemu:target-i386/cpu.c@v2.5.0'), '[qemu/qemu:target-i386/cpu.c@v2.5.0](https://gitlab.com/qemu-project/qemu/-/blob/v2.5.0/target-i386/cpu.c)');
  assert.equal(
    sourceLink('torvalds/linux:arch/x86/include/uapi/asm/kvm_para.h (KVM_FEATURE_PV_EOI)'),
    '[torvalds/linux:arch/x86/include/uapi/asm/kvm_para.h](https://github.com/torvalds/linux/blob/master/arch/x86/include/uapi/asm/kvm_para.h) (KVM_FEATURE_PV_EOI)',
  );
  assert.equal(sourceLink('libvirt/libvirt:src/cpu_map/x86_features.xml'), '[libvirt/libvirt:src/cpu_map/x86_features.xml](https://gitlab.com/libvirt/libvirt/-/blob/master/src/cpu_map/x86_features.xml)');
  assert.equal(sourceLink('qemu-devel: some thread'), 'qemu-devel: some thread');
  assert.equal(sourceLink('constructor:x'), 'constructor:x');
});

test('a versioned CPU model lists what each version changed', () => {
  const base = { vendor: null, deprecated: false, description: '', sources: [], family: 'Cpu' };
  const versioned = new KnowledgeBase({
    features: kb.features as FeatureRecord[],
    msrs: [],
    models: [
      { ...base, name: 'Cpu-v1', version: 1, aliases: ['Cpu'], qemuSince: '2.0', features: ['fpu', 'avx'] },
      { ...base, name: 'Cpu-v2', version: 2, aliases: [], qemuSince: '4.2', features: ['fpu', 'avx', 'avx2', 'spec-ctrl'] },
      { ...base, name: 'Cpu-v3', version: 3, aliases: [], qemuSince: null, features: ['fpu', 'avx2', 'spec-ctrl'] },
    ],
    releases: { releases: [{ version: '4.2', date: null, kvmDefaults: [], minKernel: null, sources: [] }], modelCompat: [] },
  });
  const text = 'machine m {\n  cpu Cpu-v2\n}\n';
  const md = hoverAt(load({ 'a.mtype': text }, versioned), 'a.mtype', positionOf(text, 'Cpu'))!.markdown;
  assert.match(md, /- 4 bits/);
  assert.match(md, /- v1 \(QEMU 2\.0\): 2 bits\n- v2 \(QEMU 4\.2\) ←: \+avx2, \+spec-ctrl\n- v3: -avx/);
});
