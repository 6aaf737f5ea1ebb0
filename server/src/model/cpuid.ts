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
import { editSummary, type DecidedEdit, type EditSummary } from './edit-summary';
import { innerMap } from '../common/maps';
import { mapped } from '../common/arrays';
import type { Span } from '../common/text';

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

/**
 * The machine's view of one model's CPUID: the shared base bits (model, compat
 * deltas, KVM defaults) plus what the machine's own edits changed. Checks look at
 * the few bits that can matter through it without copying the whole set.
 *
 * What the edits decide is kept in two layers: the machine's global edits, one map
 * shared by all its views, and the `cpuid for` edits that win for this model. A
 * deep machine is checked for tens of models, and its global whitelist is the same
 * for each of them: checks work through it once per machine (checks/base-subsets.ts).
 */
export interface CpuidView {
  modelName: string;
  model?: ModelRecord;
  modelOrigin?: Origin;
  release?: ReleaseRecord;
  qemu: string;
  base: BaseCpuid;
  /** The global edit that decides each feature, for every view of the machine. Shared: never mutate. */
  global: ReadonlyMap<string, DecidedEdit>;
  /** The `cpuid for` edits that decide a feature for this model, over the global ones. */
  scoped: ReadonlyMap<string, DecidedEdit>;
  /** Per-check lists of the view's enabled bits, computed on first use (checks/base-subsets.ts); the map too. */
  readonly lists: Map<string, readonly EffectiveBit[]>;
  /** The edit that decides a feature for this model (its sign says whitelisted or masked). */
  decision(name: string): DecidedEdit | undefined;
  /** The whitelisted bit of that name, if the edits leave it whitelisted. */
  whitelisted(name: string): EffectiveBit | undefined;
  /** The mask of that name, if the edits leave it masked. */
  masked(name: string): MaskedBit | undefined;
  whitelistedBits(): EffectiveBit[];
  maskedBits(): MaskedBit[];
  isEnabled(name: string): boolean;
  /** An enabled base bit as an EffectiveBit, with this machine's origin. */
  materialize(bit: BaseBit): EffectiveBit;
}

const NO_EDITS: ReadonlyMap<string, DecidedEdit> = new Map();

export function cpuidView(machine: ResolvedMachine, modelName: string, modelOrigin: Origin | undefined, kb: KnowledgeBase): CpuidView {
  const qemu = effectiveQemu(machine, kb);
  const model = kb.model(modelName);
  const summary = editSummary(machine, kb);
  return new ModelView(machine, modelName, model, modelOrigin, qemu, baseBits(kb, model, qemu, machine.accel.value === 'kvm'), summary.global, scopedDecisions(summary, model, modelName, kb));
}

/** A machine's view of one model (a class: a deep machine has tens of them per check run). */
class ModelView implements CpuidView {
  readonly release?: ReleaseRecord;
  private readonly compatOrigin?: Origin;
  private readonly kvmOrigin?: Origin;
  private listCache?: Map<string, readonly EffectiveBit[]>;

  constructor(
    machine: ResolvedMachine,
    readonly modelName: string,
    readonly model: ModelRecord | undefined,
    readonly modelOrigin: Origin | undefined,
    readonly qemu: string,
    readonly base: BaseCpuid,
    readonly global: ReadonlyMap<string, DecidedEdit>,
    readonly scoped: ReadonlyMap<string, DecidedEdit>,
  ) {
    this.release = base.release;
    const qemuOrigin = machine.qemu?.origin;
    this.compatOrigin = qemuOrigin ?? modelOrigin;
    this.kvmOrigin = machine.accel.origin ?? qemuOrigin;
  }

  // Made on first use: a view that only MT103 walks (a bit others need, typed in a base) needs none.
  get lists(): Map<string, readonly EffectiveBit[]> {
    return (this.listCache ??= new Map());
  }

  decision(name: string): DecidedEdit | undefined {
    return this.scoped.size ? this.scoped.get(name) ?? this.global.get(name) : this.global.get(name);
  }

  whitelisted(name: string): EffectiveBit | undefined {
    const d = this.decision(name);
    return d && d.edit.edit.sign === '+' ? whitelistBit(d) : undefined;
  }

  masked(name: string): MaskedBit | undefined {
    const d = this.decision(name);
    return d && d.edit.edit.sign === '-' ? maskBit(d) : undefined;
  }

  whitelistedBits(): EffectiveBit[] {
    return mapped(this.decisions().filter((d) => d.edit.edit.sign === '+'), whitelistBit);
  }

  maskedBits(): MaskedBit[] {
    return mapped(this.decisions().filter((d) => d.edit.edit.sign === '-'), maskBit);
  }

  isEnabled(name: string): boolean {
    const d = this.decision(name);
    return d ? d.edit.edit.sign === '+' : this.base.byName.has(name);
  }

  materialize(bit: BaseBit): EffectiveBit {
    return bit.from === 'kvm'
      ? { feature: bit.feature, source: 'kvm-default', origin: this.kvmOrigin, edit: undefined }
      : { feature: bit.feature, source: 'model', origin: bit.from === 'model' ? this.modelOrigin : this.compatOrigin, edit: undefined };
  }

  /** Every deciding edit: the global ones the model's `cpuid for` edits leave, then those. */
  private decisions(): DecidedEdit[] {
    return [...[...this.global.values()].filter((d) => !this.scoped.has(d.feature.name)), ...this.scoped.values()];
  }
}

/**
 * The `cpuid for` edits that apply to one model and come after the edit deciding their
 * feature so far: the base's answer for the model, less the features the machine's own
 * global edits decide again, plus its own `cpuid for` edits that apply. Remembered per
 * summary and model, so a deep machine pays for its own edits only, and shares its
 * base's map when they change nothing for the model.
 */
function scopedDecisions(summary: EditSummary, model: ModelRecord | undefined, modelName: string, kb: KnowledgeBase): ReadonlyMap<string, DecidedEdit> {
  const byModel = (summary.byModel ??= new Map());
  const known = byModel.get(modelName);
  if (known) return known;
  const inherited = summary.base ? scopedDecisions(summary.base, model, modelName, kb) : NO_EDITS;
  let scoped: Map<string, DecidedEdit> | undefined;
  // An own global edit comes after every inherited one.
  for (const d of summary.ownGlobal) if (inherited.has(d.feature.name)) (scoped ??= new Map(inherited)).delete(d.feature.name);
  // The edits of one `cpuid for` statement share its list of models: asked once per list.
  let models: unknown;
  let applies = false;
  for (let i = summary.ownScopedFrom; i < summary.scoped.length; i++) {
    const s = summary.scoped[i];
    if (s.edit.models !== models) applies = editAppliesTo(s.edit, model, modelName, kb);
    models = s.edit.models;
    if (!applies) continue;
    const global = summary.global.get(s.feature.name);
    if (global && global.index > s.index) continue;
    (scoped ??= new Map(inherited)).set(s.feature.name, s);
  }
  const out = scoped ?? inherited;
  byModel.set(modelName, out);
  return out;
}

/** A deciding edit as a bit; made once per edit and shared by every machine and model it decides for. */
const bits = new WeakMap<DecidedEdit, EffectiveBit>();
export function whitelistBit(d: DecidedEdit): EffectiveBit {
  let bit = bits.get(d);
  if (!bit) bits.set(d, (bit = { feature: d.feature, source: 'whitelist', origin: d.edit.origin, edit: d.edit }));
  return bit;
}

const masks = new WeakMap<DecidedEdit, MaskedBit>();
function maskBit(d: DecidedEdit): MaskedBit {
  let mask = masks.get(d);
  if (!mask) masks.set(d, (mask = { feature: d.feature, edit: d.edit }));
  return mask;
}

/** The full effective CPUID (explain, hover): every enabled bit, materialized. */
export function computeCpuid(machine: ResolvedMachine, modelName: string, modelOrigin: Origin | undefined, kb: KnowledgeBase): EffectiveCpuid {
  const view = cpuidView(machine, modelName, modelOrigin, kb);
  const enabled = new Map<string, EffectiveBit>();
  for (const bit of view.base.bits) {
    const name = bit.feature.name;
    if (!view.masked(name)) enabled.set(name, view.whitelisted(name) ?? view.materialize(bit));
  }
  for (const bit of view.whitelistedBits()) if (!enabled.has(bit.feature.name)) enabled.set(bit.feature.name, bit);
  // Where a masked bit would have come from: its model or the KVM defaults.
  const masked = new Map<string, MaskedBit>();
  for (const m of view.maskedBits()) {
    const b = view.base.byName.get(m.feature.name);
    masked.set(m.feature.name, { ...m, wouldComeFrom: b ? (b.from === 'kvm' ? 'kvm-default' : 'model') : undefined });
  }
  return { modelName, model: view.model, modelOrigin, release: view.release, qemu: view.qemu, enabled, masked };
}

/**
 * The bits a bare `-cpu MODEL` gives machines of a QEMU release and accel, before any edits
 * (model, compat deltas, KVM defaults): what an export that names a model can count on.
 */
export function modelBaseBits(kb: KnowledgeBase, modelName: string, qemu: string, accel: 'kvm' | 'tcg'): ReadonlySet<string> {
  return new Set(baseBits(kb, kb.model(modelName), qemu, accel === 'kvm').byName.keys());
}

/** A bit before the machine's edits: from the model, a model compat delta of the release, or a KVM default. */
export interface BaseBit {
  feature: FeatureRecord;
  from: 'model' | 'compat' | 'kvm';
}

export interface BaseCpuid {
  release?: ReleaseRecord;
  /** In the order computeCpuid inserts them (messages list bits in this order). */
  bits: BaseBit[];
  byName: Map<string, BaseBit>;
  /** Per-check subsets of `bits`, computed on first use (see checks/base-subsets.ts). */
  subsets: Map<string, unknown>;
}

/**
 * The bits a (model, QEMU release, accel) gives every machine before its own edits.
 * They depend on the KB only, so they are computed once per combination and shared
 * by every machine (and every model of a machine) that uses it.
 */
const baseCache = new WeakMap<KnowledgeBase, Map<ModelRecord | undefined, Map<string, BaseCpuid[]>>>();
/** Bases kept at most per knowledge base: qemu versions come from user text. */
const MAX_BASES = 4096;
let baseCount = 0;

/** Keyed by the objects and strings as they come (no key string: every view of every machine checked asks). */
function baseBits(kb: KnowledgeBase, model: ModelRecord | undefined, qemu: string, kvm: boolean): BaseCpuid {
  let byModel = baseCache.get(kb);
  if (!byModel || baseCount >= MAX_BASES) {
    baseCache.set(kb, (byModel = new Map()));
    baseCount = 0;
  }
  const byQemu = innerMap(byModel, model);
  let pair = byQemu.get(qemu);
  if (!pair) byQemu.set(qemu, (pair = []));
  const slot = kvm ? 1 : 0;
  let base = pair[slot];
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
    for (const name of release.kvmDefaultsOff ?? []) bits.delete(name);
  }
  // The SVM leaf (0x8000000a) reaches the guest only with svm on (QEMU zeroes it otherwise).
  if (!bits.has('svm')) for (const [name, b] of bits) if (b.feature.word === 'FEAT_SVM') bits.delete(name);
  base = { release, bits: [...bits.values()], byName: bits, subsets: new Map() };
  pair[slot] = base;
  baseCount++;
  return base;
}

/**
 * The origin of a model named in a `cpuid for` list: one object per name node, as for
 * every other statement (model/resolve.ts, originOf), so that the machines inheriting
 * the list share it (what folding matches causes by, checks/fold.ts) and a machine
 * checked again finds the same.
 */
const modelOrigins = new WeakMap<Span, Origin>();
function modelOrigin(edit: EditRef, name: Span): Origin {
  let origin = modelOrigins.get(name);
  // A node outlives a rename of its machine (syntax/reparse.ts keeps statements): its origin then is new.
  if (!origin || origin.uri !== edit.origin.uri || origin.machine !== edit.origin.machine) modelOrigins.set(name, (origin = { uri: edit.origin.uri, machine: edit.origin.machine, span: name }));
  return origin;
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
  for (const e of machine.edits) for (const m of e.models) if (!seen.has(m.text)) add(m.text, modelOrigin(e, m));
  return out;
}
