/**
 * `explain`: a resolved machine as data (spec §6 JSON), and its renderings as
 * text (the QEMU command line: explain-qemu.ts; the libvirt XML: interop/libvirt.ts).
 */
import { computeCpuid, effectiveQemu, DEFAULT_MODEL } from '../model/cpuid';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { MachineRef } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { featureLocation, registerJson } from '../kb/describe';
import { migrationOf } from '../checks/msr-facts';
import type { FeatureRecord } from '../kb/types';

export interface ExplainedFeature {
  name: string;
  leaf: string | null;
  subleaf: number | null;
  register: string | null;
  bit: number;
  source: 'model' | 'kvm-default' | 'whitelist';
}

export interface Explanation {
  machine: string;
  qemu: string;
  hostKernel: { min: string | null; max: string | null };
  accel: 'kvm' | 'tcg';
  cpu: string;
  followsHost: boolean;
  features: ExplainedFeature[];
  masked: Array<Omit<ExplainedFeature, 'source'>>;
  msrs: Array<{ name: string; index: string; role: string; migrated: boolean | null; features: string[] }>;
}

function location(f: FeatureRecord) {
  return { name: f.name, leaf: f.leaf, subleaf: f.subleaf, register: registerJson(f.register), bit: f.bit };
}

function order(a: FeatureRecord, b: FeatureRecord): number {
  const la = a.leaf === null ? Infinity : parseInt(a.leaf, 16);
  const lb = b.leaf === null ? Infinity : parseInt(b.leaf, 16);
  return la - lb || (a.subleaf ?? 0) - (b.subleaf ?? 0) || (a.register ?? '').localeCompare(b.register ?? '') || a.bit - b.bit || a.name.localeCompare(b.name);
}

export function explainMachine(ref: MachineRef, workspace: Workspace, kb: KnowledgeBase, modelName?: string): Explanation {
  const machine = workspace.resolve(ref);
  const qemu = effectiveQemu(machine, kb);
  const cpu = modelName ?? machine.cpu?.value ?? DEFAULT_MODEL;
  const cpuid = computeCpuid(machine, cpu, machine.cpu?.origin, kb);
  const enabled = [...cpuid.enabled.values()].sort((a, b) => order(a.feature, b.feature));
  const msrs = new Map<string, Explanation['msrs'][number]>();
  for (const bit of enabled) {
    for (const msr of kb.msrsOfFeature(bit.feature.name)) {
      const entry = msrs.get(msr.name);
      if (entry) {
        entry.features.push(bit.feature.name);
        continue;
      }
      const m = msr.role === 'state' ? migrationOf(machine, qemu, msr, kb).migrated : true;
      msrs.set(msr.name, { name: msr.name, index: msr.index, role: msr.role, migrated: m === undefined ? null : m, features: [bit.feature.name] });
    }
  }
  for (const d of machine.migrate) {
    const msr = kb.msr(d.name.text);
    if (msr && !msrs.has(msr.name)) msrs.set(msr.name, { name: msr.name, index: msr.index, role: msr.role, migrated: true, features: [] });
  }
  return {
    machine: ref.name,
    qemu,
    hostKernel: { min: machine.hostKernelMin?.value ?? kb.releaseFor(qemu)?.minKernel ?? null, max: machine.hostKernelMax?.value ?? null },
    accel: machine.accel.value,
    cpu,
    followsHost: machine.followsHost.value || !!cpuid.model?.followsHost,
    features: enabled.map((b) => ({ ...location(b.feature), source: b.source })),
    masked: [...cpuid.masked.values()].map((m) => location(m.feature)).sort((a, b) => a.name.localeCompare(b.name)),
    msrs: [...msrs.values()].sort((a, b) => parseInt(a.index, 16) - parseInt(b.index, 16)),
  };
}

export function explanationText(e: Explanation, kb: KnowledgeBase): string {
  const lines: string[] = [];
  lines.push(`machine ${e.machine}`);
  lines.push(`  QEMU ${e.qemu}, accel ${e.accel}, cpu ${e.cpu}${e.followsHost ? ' (follows the host)' : ''}`);
  lines.push(`  host kernels: ${e.hostKernel.min ? `>= ${e.hostKernel.min}` : 'unknown minimum'}${e.hostKernel.max ? `, <= ${e.hostKernel.max}` : ''}`);
  lines.push(`  enabled bits (${e.features.length}):`);
  for (const f of e.features) {
    const rec = kb.feature(f.name)!;
    lines.push(`    ${f.name.padEnd(24)} ${featureLocation(rec).padEnd(26)} ${f.source}`);
  }
  if (e.masked.length) lines.push(`  masked: ${e.masked.map((m) => m.name).join(', ')}`);
  if (e.msrs.length) {
    lines.push('  MSRs:');
    for (const m of e.msrs) {
      const state = m.role !== 'state' ? `${m.role}, nothing to migrate` : m.migrated === null ? 'migration unknown' : m.migrated ? 'migrated' : 'NOT migrated';
      lines.push(`    ${m.name.padEnd(30)} ${m.index.padEnd(12)} ${state}`);
    }
  }
  return lines.join('\n');
}
