/**
 * Effective CPUID of a resolved machine for one CPU model (spec §3): the model's
 * bits at the machine's QEMU release, its compat deltas, the KVM default bits of
 * that release, then the machine chain's edits in order. Each bit remembers why
 * it is there, which is what diagnostics and `explain` report.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord, ModelRecord, ReleaseRecord } from '../kb/types';
import { compareVersions } from '../common/version';
import type { EditRef, Origin, ResolvedMachine } from './resolve';

export type BitSource = 'model' | 'kvm-default' | 'whitelist';

export interface EffectiveBit {
  feature: FeatureRecord;
  source: BitSource;
  /** The statement responsible: the `cpu`/`cpuid for` model name, `qemu`/`accel` line, or the edit. */
  origin?: Origin;
  /** The edit that enabled it, for whitelisted bits. */
  edit?: EditRef;
}

export interface MaskedBit {
  feature: FeatureRecord;
  edit: EditRef;
  /** Where the bit would have come from had it not been masked. */
  wouldComeFrom?: BitSource;
}

export interface EffectiveCpuid {
  modelName: string;
  model?: ModelRecord;
  /** Where the model was named (`cpu` line or `cpuid for` list). */
  modelOrigin?: Origin;
  release?: ReleaseRecord;
  /** QEMU release in force (stated, inherited, or the newest known). */
  qemu: string;
  enabled: Map<string, EffectiveBit>;
  masked: Map<string, MaskedBit>;
}

/** QEMU's default CPU model for x86 PC machine types when none is named. */
export const DEFAULT_MODEL = 'qemu64';

export function effectiveQemu(machine: ResolvedMachine, kb: KnowledgeBase): string {
  return machine.qemu?.value ?? kb.newestRelease.version;
}

/** Whether a `cpuid for` list applies to a model: same record, or the list names the model's family. */
export function editAppliesTo(edit: EditRef, model: ModelRecord | undefined, modelName: string, kb: KnowledgeBase): boolean {
  if (edit.models.length === 0) return true;
  return edit.models.some((n) => {
    if (n.text === modelName) return true;
    const named = kb.model(n.text);
    if (!named || !model) return false;
    return named === model || (n.text === named.family && named.family === model.family);
  });
}

export function computeCpuid(
  machine: ResolvedMachine,
  modelName: string,
  modelOrigin: Origin | undefined,
  kb: KnowledgeBase,
): EffectiveCpuid {
  const qemu = effectiveQemu(machine, kb);
  const model = kb.model(modelName);
  const base = baseBits(kb, model, qemu, machine.accel.value === 'kvm');
  const release = base.release;
  const result: EffectiveCpuid = { modelName, model, modelOrigin, release, qemu, enabled: new Map(), masked: new Map() };
  const qemuOrigin = machine.qemu?.origin;
  const compatOrigin = qemuOrigin ?? modelOrigin;
  const kvmOrigin = machine.accel.origin ?? qemuOrigin;
  for (const { feature, from } of base.bits) {
    if (from === 'kvm') result.enabled.set(feature.name, { feature, source: 'kvm-default', origin: kvmOrigin });
    else result.enabled.set(feature.name, { feature, source: 'model', origin: from === 'model' ? modelOrigin : compatOrigin });
  }
  for (const edit of machine.edits) {
    if (!editAppliesTo(edit, model, modelName, kb)) continue;
    const feature = kb.feature(edit.edit.feature.text);
    if (!feature) continue;
    if (edit.edit.sign === '+') {
      result.masked.delete(feature.name);
      result.enabled.set(feature.name, { feature, source: 'whitelist', origin: edit.origin, edit });
    } else {
      const was = result.enabled.get(feature.name);
      result.enabled.delete(feature.name);
      result.masked.set(feature.name, { feature, edit, wouldComeFrom: was?.source });
    }
  }
  return result;
}

/** A bit before the machine's edits: from the model, a model compat delta of the release, or a KVM default. */
interface BaseBit {
  feature: FeatureRecord;
  from: 'model' | 'compat' | 'kvm';
}

interface BaseCpuid {
  release?: ReleaseRecord;
  /** In the order computeCpuid inserts them (messages list bits in this order). */
  bits: BaseBit[];
}

/**
 * The bits a (model, QEMU release, accel) gives every machine before its own edits.
 * They depend on the KB only, so they are computed once per combination and shared
 * by every machine (and every model of a machine) that uses it.
 */
const baseCache = new WeakMap<KnowledgeBase, Map<string, BaseCpuid>>();

function baseBits(kb: KnowledgeBase, model: ModelRecord | undefined, qemu: string, kvm: boolean): BaseCpuid {
  let cache = baseCache.get(kb);
  if (!cache) baseCache.set(kb, (cache = new Map()));
  const key = `${model?.name ?? ''}|${qemu}|${kvm}`;
  let base = cache.get(key);
  if (base) return base;
  const release = kb.releaseFor(qemu);
  const bits = new Map<string, BaseBit>();
  if (model && !model.followsHost) {
    for (const name of model.features) {
      const feature = kb.feature(name);
      if (feature) bits.set(feature.name, { feature, from: 'model' });
    }
    for (const compat of kb.modelCompat) {
      if (compareVersions(qemu, compat.upTo) > 0) continue;
      if (compat.model !== '*' && compat.model !== model.family && compat.model !== model.name) continue;
      const feature = kb.feature(compat.feature);
      if (!feature) continue;
      if (compat.value) bits.set(feature.name, { feature, from: 'compat' });
      else bits.delete(feature.name);
    }
  }
  if (kvm && release) {
    for (const name of release.kvmDefaults) {
      const feature = kb.feature(name);
      if (feature && !bits.has(feature.name)) bits.set(feature.name, { feature, from: 'kvm' });
    }
  }
  base = { release, bits: [...bits.values()] };
  if (cache.size >= 4096) cache.clear(); // qemu versions come from user text: keep the cache bounded
  cache.set(key, base);
  return base;
}

/** The CPU models a machine is checked for: its `cpu` model and every `cpuid for` model. */
export function modelsToCheck(machine: ResolvedMachine): Array<{ name: string; origin?: Origin }> {
  const out: Array<{ name: string; origin?: Origin }> = [];
  const seen = new Set<string>();
  const add = (name: string, origin?: Origin) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, origin });
  };
  add(machine.cpu?.value ?? DEFAULT_MODEL, machine.cpu?.origin);
  for (const e of machine.edits) for (const m of e.models) add(m.text, { uri: e.origin.uri, machine: e.origin.machine, span: { start: m.start, end: m.end } });
  return out;
}
