/**
 * The KB's records in one shape per kind. The data files leave out the optional
 * fields a record does not need, so their records come in several shapes, and every
 * check reads them for every bit of every machine: reads that see many shapes are
 * slower, and an edit that meets a shape the open did not deoptimizes the checks.
 * Each record is rebuilt with every field of its kind, in one order (absent ones
 * undefined, which JSON output leaves out as before), then anything else it carries.
 */
import type { FeatureRecord, ModelRecord, MsrRecord } from './types';

export function featureShape(f: FeatureRecord): FeatureRecord {
  const shaped: FeatureRecord = {
    name: f.name,
    aliases: f.aliases,
    word: f.word,
    leaf: f.leaf,
    subleaf: f.subleaf,
    register: f.register,
    bit: f.bit,
    msrFeatureIndex: f.msrFeatureIndex,
    description: f.description,
    qemuSince: f.qemuSince,
    msrs: f.msrs,
    kvmSince: f.kvmSince,
    kvmUntil: f.kvmUntil,
    kvmSinceByVendor: f.kvmSinceByVendor,
    kvmStable: f.kvmStable,
    kvmAbsentIn: f.kvmAbsentIn,
    qemuUntil: f.qemuUntil,
    aliasDates: f.aliasDates,
    nameSince: f.nameSince,
    migrationBlocks: f.migrationBlocks,
    dependsOnInReleases: f.dependsOnInReleases,
    unmigratable: f.unmigratable,
    dependsOn: f.dependsOn,
    deprecated: f.deprecated,
    notes: f.notes,
    sources: f.sources,
  };
  return Object.assign(shaped, f);
}

export function msrShape(m: MsrRecord): MsrRecord {
  const shaped: MsrRecord = {
    name: m.name,
    aliases: m.aliases,
    index: m.index,
    role: m.role,
    features: m.features,
    migratedSince: m.migratedSince,
    vmstateSince: m.vmstateSince,
    stateSharedWith: m.stateSharedWith,
    kvmSince: m.kvmSince,
    description: m.description,
    notes: m.notes,
    sources: m.sources,
  };
  return Object.assign(shaped, m);
}

export function modelShape(m: ModelRecord): ModelRecord {
  const shaped: ModelRecord = {
    name: m.name,
    family: m.family,
    version: m.version,
    aliases: m.aliases,
    vendor: m.vendor,
    qemuSince: m.qemuSince,
    qemuUntil: m.qemuUntil,
    aliasDates: m.aliasDates,
    deprecated: m.deprecated,
    features: m.features,
    followsHost: m.followsHost,
    description: m.description,
    sources: m.sources,
  };
  return Object.assign(shaped, m);
}
