/**
 * A small, hand-made knowledge base for check tests: each fact here exists only to
 * make one behaviour testable, so the tests do not move when the real KB grows.
 */
import { KnowledgeBase, type KnowledgeBaseData } from '../../../server/src/kb/knowledge-base';
import type { FeatureRecord, KernelsFile, ModelRecord, MsrRecord, ReleaseRecord } from '../../../server/src/kb/types';

function feature(name: string, leaf: string, register: 'EAX' | 'EBX' | 'ECX' | 'EDX', bit: number, extra: Partial<FeatureRecord> = {}): FeatureRecord {
  return {
    name,
    aliases: [],
    word: 'TEST',
    leaf,
    subleaf: leaf === '0x7' ? 0 : null,
    register,
    bit,
    description: `test feature ${name}`,
    qemuSince: null,
    msrs: [],
    kvmSince: null,
    kvmUntil: null,
    unmigratable: false,
    dependsOn: [],
    deprecated: false,
    sources: ['test'],
    ...extra,
  };
}

function msr(name: string, index: string, extra: Partial<MsrRecord> = {}): MsrRecord {
  return { name, aliases: [], index, role: 'state', features: [], migratedSince: null, kvmSince: null, description: name, sources: ['test'], ...extra };
}

function model(name: string, features: string[], extra: Partial<ModelRecord> = {}): ModelRecord {
  const m = /^(.*)-v(\d+)$/.exec(name);
  return {
    name,
    family: m ? m[1] : name,
    version: m ? Number(m[2]) : null,
    aliases: m && m[2] === '1' ? [m[1]] : [],
    vendor: null,
    qemuSince: null,
    deprecated: false,
    features,
    description: name,
    sources: ['test'],
    ...extra,
  };
}

/** Facts a test sets on top of the mini KB: fields per feature, MSR, model or release, and extra records. */
export interface MiniKbFacts {
  features?: Record<string, Partial<FeatureRecord>>;
  msrs?: Record<string, Partial<MsrRecord>>;
  models?: Record<string, Partial<ModelRecord>>;
  releases?: Record<string, Partial<ReleaseRecord>>;
  extraFeatures?: Array<Parameters<typeof feature>>;
  extraModels?: Array<Parameters<typeof model>>;
  extraReleases?: ReleaseRecord[];
  kernels?: KernelsFile;
}

export { feature as miniFeature, model as miniModel };

export function miniKb(facts: MiniKbFacts = {}): KnowledgeBase {
  const data = miniKbData();
  const patch = <T extends object>(list: T[], by: Record<string, Partial<T>> | undefined, key: (x: T) => string) =>
    list.map((x) => (by?.[key(x)] ? { ...x, ...by[key(x)] } : x));
  data.features = patch([...data.features, ...(facts.extraFeatures ?? []).map((a) => feature(...a))], facts.features, (f) => f.name);
  data.msrs = patch(data.msrs, facts.msrs, (m) => m.name);
  data.models = patch([...data.models, ...(facts.extraModels ?? []).map((a) => model(...a))], facts.models, (m) => m.name);
  data.releases.releases = patch([...data.releases.releases, ...(facts.extraReleases ?? [])], facts.releases, (r) => r.version);
  return new KnowledgeBase({ ...data, kernels: facts.kernels });
}

function miniKbData(): KnowledgeBaseData {
  return {
    features: [
      feature('fpu', '0x1', 'EDX', 0),
      feature('sse4.1', '0x1', 'ECX', 19, { aliases: ['sse4_1', 'sse4-1'] }),
      feature('x2apic', '0x1', 'ECX', 21, { kvmSince: '2.6.32' }),
      feature('tsc-deadline', '0x1', 'ECX', 24, { msrs: ['MSR_IA32_TSC_DEADLINE'], kvmSince: '3.2' }),
      feature('avx', '0x1', 'ECX', 28),
      feature('avx2', '0x7', 'EBX', 5, { dependsOn: ['avx'] }),
      feature('mpx', '0x7', 'EBX', 14, { kvmSince: '3.18', kvmUntil: '5.19' }),
      feature('spec-ctrl', '0x7', 'EDX', 26, { msrs: ['MSR_IA32_SPEC_CTRL', 'MSR_IA32_PRED_CMD'], kvmSince: '4.15', qemuSince: '2.11' }),
      feature('arch-capabilities', '0x7', 'EDX', 29, { msrs: ['MSR_IA32_ARCH_CAPABILITIES'], kvmSince: '4.17' }),
      feature('kvmclock', '0x40000001', 'EAX', 0, { msrs: ['MSR_KVM_SYSTEM_TIME_NEW', 'MSR_KVM_WALL_CLOCK_NEW'], kvmSince: '2.6.26' }),
      feature('kvm-steal-time', '0x40000001', 'EAX', 5, { msrs: ['MSR_KVM_STEAL_TIME'], kvmSince: '3.1' }),
      feature('kvm-pv-eoi', '0x40000001', 'EAX', 6, { msrs: ['MSR_KVM_PV_EOI_EN'], kvmSince: '3.6', aliases: ['kvm_pv_eoi'] }),
      feature('kvm-poll-control', '0x40000001', 'EAX', 12, { msrs: ['MSR_KVM_POLL_CONTROL'], kvmSince: '5.2', qemuSince: '4.2' }),
      feature('invtsc', '0x80000007', 'EDX', 8, { unmigratable: true }),
      feature('3dnow', '0x80000001', 'EDX', 31, { deprecated: 'removed from recent CPUs' }),
    ],
    msrs: [
      msr('MSR_IA32_TSC_DEADLINE', '0x6e0', { features: ['tsc-deadline'], migratedSince: '1.1', aliases: ['IA32_TSC_DEADLINE'] }),
      msr('MSR_IA32_SPEC_CTRL', '0x48', { migratedSince: '2.11', kvmSince: '4.15' }),
      msr('MSR_IA32_PRED_CMD', '0x49', { role: 'command' }),
      msr('MSR_IA32_ARCH_CAPABILITIES', '0x10a', { role: 'capability' }),
      msr('MSR_KVM_SYSTEM_TIME', '0x12', { migratedSince: '0.12' }),
      msr('MSR_KVM_WALL_CLOCK', '0x11', { migratedSince: '0.12' }),
      msr('MSR_KVM_SYSTEM_TIME_NEW', '0x4b564d01', { stateSharedWith: 'MSR_KVM_SYSTEM_TIME' }),
      msr('MSR_KVM_WALL_CLOCK_NEW', '0x4b564d00', { stateSharedWith: 'MSR_KVM_WALL_CLOCK' }),
      msr('MSR_KVM_STEAL_TIME', '0x4b564d03', { migratedSince: '1.1', kvmSince: '3.1' }),
      msr('MSR_KVM_PV_EOI_EN', '0x4b564d04', { migratedSince: '1.3', kvmSince: '3.6' }),
      msr('MSR_KVM_POLL_CONTROL', '0x4b564d05', { migratedSince: '4.2', kvmSince: '5.2' }),
    ],
    models: [
      model('qemu64-v1', ['fpu', 'sse4.1']),
      model('Haswell-v1', ['fpu', 'avx', 'avx2', 'x2apic', 'tsc-deadline'], { qemuSince: '1.3' }),
      model('Skylake-Client-v1', ['fpu', 'avx', 'avx2', 'mpx'], { qemuSince: '2.7' }),
      model('Opteron_G2-v1', ['fpu']),
      model('Opteron_G1-v1', ['fpu'], { deprecated: 'too old' }),
      model('host', [], { followsHost: true }),
      model('max', [], { followsHost: true }),
    ],
    releases: {
      releases: [
        { version: '1.1', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time'], minKernel: '2.6.32', sources: ['test'] },
        { version: '1.2', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time'], minKernel: '2.6.32', sources: ['test'] },
        { version: '1.3', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time', 'kvm-pv-eoi'], minKernel: '2.6.32', sources: ['test'] },
        { version: '2.0', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time', 'kvm-pv-eoi', 'x2apic'], minKernel: null, sources: ['test'] },
        { version: '2.11', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time', 'kvm-pv-eoi', 'x2apic'], minKernel: null, sources: ['test'] },
        { version: '4.2', date: null, kvmDefaults: ['kvmclock', 'kvm-steal-time', 'kvm-pv-eoi', 'x2apic'], minKernel: null, sources: ['test'] },
      ],
      modelCompat: [{ upTo: '2.0', model: 'Opteron_G2', feature: 'x2apic', value: true, sources: ['test'] }],
    },
  };
}
