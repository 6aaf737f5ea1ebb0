/** KB records in the JSON shapes of spec §6 (`mtype kb`), shared by the CLI and hover. */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord, ModelRecord, MsrRecord } from '../kb/types';
import { registerJson } from '../kb/describe';

export function featureJson(f: FeatureRecord, kb: KnowledgeBase) {
  return {
    kind: 'feature' as const,
    name: f.name,
    aliases: f.aliases,
    leaf: f.leaf,
    subleaf: f.subleaf,
    register: registerJson(f.register),
    bit: f.bit,
    ...(f.leaf === null ? { msrIndex: f.msrFeatureIndex ?? null } : {}),
    description: f.description,
    qemuSince: f.qemuSince,
    msrs: kb.msrsOfFeature(f.name).map((m) => ({ index: m.index, name: m.name, role: m.role, migratedSince: m.migratedSince })),
    kvmSince: f.kvmSince,
    kvmUntil: f.kvmUntil,
    // Beyond the §6 shape: the facts §5 names, for tools that want them.
    kvmSinceByVendor: f.kvmSinceByVendor ?? null,
    kvmStable: f.kvmStable ?? [],
    qemuUntil: f.qemuUntil ?? null,
    unmigratable: f.unmigratable,
    dependsOn: f.dependsOn,
    deprecated: f.deprecated,
    sources: f.sources,
  };
}

export function msrJson(m: MsrRecord, kb: KnowledgeBase) {
  const features = new Set(m.features);
  for (const f of kb.features) if (f.msrs.includes(m.name)) features.add(f.name);
  return {
    kind: 'msr' as const,
    name: m.name,
    aliases: m.aliases,
    index: m.index,
    role: m.role,
    features: [...features],
    migratedSince: m.migratedSince,
    vmstateSince: m.vmstateSince ?? null,
    stateSharedWith: m.stateSharedWith ?? null,
    kvmSince: m.kvmSince,
    description: m.description,
    sources: m.sources,
  };
}

export function modelJson(m: ModelRecord) {
  return {
    kind: 'model' as const,
    name: m.name,
    aliases: m.aliases,
    family: m.family,
    version: m.version,
    vendor: m.vendor,
    qemuSince: m.qemuSince,
    deprecated: m.deprecated,
    followsHost: m.followsHost ?? false,
    features: m.features,
    sources: m.sources,
  };
}

export type KbRecordJson = ReturnType<typeof featureJson> | ReturnType<typeof msrJson> | ReturnType<typeof modelJson>;

/** Looks a name up as a feature, then an MSR, then a CPU model. */
export function lookupRecord(name: string, kb: KnowledgeBase): KbRecordJson | undefined {
  const f = kb.feature(name);
  if (f) return featureJson(f, kb);
  const msr = kb.msr(name);
  if (msr) return msrJson(msr, kb);
  const model = kb.model(name);
  if (model) return modelJson(model);
  return undefined;
}

export function suggestRecord(name: string, kb: KnowledgeBase): string[] {
  const all = [...kb.suggestFeature(name), ...kb.suggestMsr(name), ...kb.suggestModel(name)];
  return [...new Set(all)].slice(0, 5);
}

export function allRecordsJson(kb: KnowledgeBase) {
  return {
    features: kb.features.map((f) => featureJson(f, kb)),
    msrs: kb.msrs.map((m) => msrJson(m, kb)),
    models: kb.models.map(modelJson),
  };
}
