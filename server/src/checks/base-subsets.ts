/**
 * The few bits each check can care about, picked once per shared base CPUID
 * (model, QEMU release, accel) instead of per machine and model: most of a
 * model's ~70 bits have no state MSR, no kernel range and no dependency, so a
 * machine's checks then look at its edits and a handful of base bits.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord } from '../kb/types';
import { whitelistBit, type BaseBit, type BaseCpuid, type CpuidView, type EffectiveBit } from '../model/cpuid';
import type { DecidedEdit } from '../model/edit-summary';
import { compareVersions } from '../common/version';
import type { HostVendor } from '../kb/types';
import { kernelsHave, type KernelRange } from './kernel-facts';
import { mapped } from '../common/arrays';

export type FeatureTest = (f: FeatureRecord, kb: KnowledgeBase) => boolean;

const stateMsrFeatures = new WeakMap<FeatureRecord, boolean>();
export const hasStateMsr: FeatureTest = (f, kb) => {
  let has = stateMsrFeatures.get(f);
  if (has === undefined) stateMsrFeatures.set(f, (has = kb.msrsOfFeature(f.name).some((m) => m.role === 'state')));
  return has;
};
/** Bits that block migration in some release (checks/migration-blocks.ts decides for the machine). */
export const mayBlockMigration: FeatureTest = (f) => f.unmigratable || !!f.migrationBlocks?.length;
export const hasKernelRange: FeatureTest = (f) => !!(f.kvmSince || f.kvmUntil || f.kvmSinceByVendor || f.kvmStable?.length || f.kvmAbsentIn);
export const hasDependencies: FeatureTest = (f) => f.dependsOn.length > 0 || !!f.dependsOnInReleases?.length;

/** The canonical names of the bits some feature needs, in any release (per knowledge base). */
const dependedOn = new WeakMap<KnowledgeBase, Set<string>>();
export const isDependency: FeatureTest = (f, kb) => {
  let names = dependedOn.get(kb);
  if (!names) {
    names = new Set();
    for (const g of kb.features) for (const d of [...g.dependsOn, ...(g.dependsOnInReleases ?? []).map((x) => x.feature)]) names.add(kb.feature(d)?.name ?? d);
    dependedOn.set(kb, names);
  }
  return names.has(f.name);
};

/** The bits `f` needs in QEMU `qemu`: its lasting dependencies and those that held in that release ([from, until)). */
export function dependenciesAt(f: FeatureRecord, qemu: string): readonly string[] {
  if (!f.dependsOnInReleases?.length) return f.dependsOn;
  const out = [...f.dependsOn];
  for (const d of f.dependsOnInReleases) {
    if (d.from && compareVersions(qemu, d.from) < 0) continue;
    if (d.until && compareVersions(qemu, d.until) >= 0) continue;
    if (!out.includes(d.feature)) out.push(d.feature);
  }
  return out;
}

/** The records of the bits `f` needs in QEMU `qemu` (names the KB lacks left out), kept per feature and release. */
const dependencyRecordCache = new WeakMap<FeatureRecord, FeatureRecord[] | Map<string, FeatureRecord[]>>();
export function dependencyRecordsAt(f: FeatureRecord, qemu: string, kb: KnowledgeBase): readonly FeatureRecord[] {
  const cached = dependencyRecordCache.get(f);
  if (Array.isArray(cached)) return cached;
  const resolve = () => dependenciesAt(f, qemu).map((name) => kb.feature(name)).filter((d): d is FeatureRecord => !!d);
  // Only release-bound dependencies differ by release.
  if (!f.dependsOnInReleases?.length) {
    const records = resolve();
    dependencyRecordCache.set(f, records);
    return records;
  }
  let byRelease = cached;
  if (!byRelease) dependencyRecordCache.set(f, (byRelease = new Map()));
  let records = byRelease.get(qemu);
  if (!records) byRelease.set(qemu, (records = resolve()));
  return records;
}

/** Subsets kept per base at most; some keys hold user text (a kernel range), so they are bounded. */
const MAX_SUBSETS = 256;

function subset<T>(base: BaseCpuid, key: string, make: () => T): T {
  let value = base.subsets.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    if (base.subsets.size >= MAX_SUBSETS) base.subsets.clear();
    base.subsets.set(key, value);
  }
  return value;
}

function bitsWhere(base: BaseCpuid, kb: KnowledgeBase, test: FeatureTest): BaseBit[] {
  return subset(base, test.name, () => base.bits.filter((b) => test(b.feature, kb)));
}

/**
 * Enabled bits of the view whose feature passes `test`: base bits the edits left alone,
 * then whitelisted ones. Kept on the view per test (several checks ask for the same
 * test, model by model): callers only read the list.
 */
export function enabledWhere(view: CpuidView, kb: KnowledgeBase, test: FeatureTest): readonly EffectiveBit[] {
  let list = view.lists.get(test.name);
  if (!list) view.lists.set(test.name, (list = enabledAmong(view, bitsWhere(view.base, kb, test), test.name, (f) => test(f, kb))));
  return list;
}

/**
 * Enabled bits that some kernel of `range` lacks on `vendor` hosts, backports declared
 * by the machine aside: the base's are found once per base and range, the whitelisted
 * ones once per machine and range (a deep machine whitelists tens of bits with a
 * kernel range, and has tens of models; most bits pass).
 */
export function kernelSuspects(view: CpuidView, kb: KnowledgeBase, range: KernelRange, vendor: HostVendor | null): EffectiveBit[] {
  const key = `kernels|${range.min}|${range.max ?? ''}|${vendor ?? ''}`;
  const failing = subset(view.base, key, () => bitsWhere(view.base, kb, hasKernelRange).filter((b) => kernelsHave(b.feature, range, vendor, false, kb).has === false));
  return enabledAmong(view, failing, key, (f) => hasKernelRange(f, kb) && kernelsHave(f, range, vendor, false, kb).has === false);
}

/** Of `bits` (base bits), those the edits left alone; then the whitelisted bits whose feature passes `test` (`key` names it). */
function enabledAmong(view: CpuidView, bits: readonly BaseBit[], key: string, test: (f: FeatureRecord) => boolean): EffectiveBit[] {
  const out: EffectiveBit[] = [];
  for (const bit of bits) if (!view.decision(bit.feature.name)) out.push(view.materialize(bit));
  pushWhitelisted(out, view, key, test);
  return out;
}

/**
 * Per global edit map (one per machine, shared by its views, so one QEMU release): its
 * whitelisted bits whose feature passes a test, by the test's key (a few per machine:
 * the named tests, and one kernel range per vendor), and its masks. A deep
 * machine has a hundred edits and tens of models; each test runs once per edit instead of
 * once per edit and model.
 */
interface GlobalLists {
  whitelisted: Map<string, EffectiveBit[]>;
  masks?: DecidedEdit[];
}
const globalLists = new WeakMap<ReadonlyMap<string, DecidedEdit>, GlobalLists>();

function listsOf(global: ReadonlyMap<string, DecidedEdit>): GlobalLists {
  let lists = globalLists.get(global);
  if (!lists) globalLists.set(global, (lists = { whitelisted: new Map(), masks: undefined }));
  return lists;
}

function globalWhitelist(global: ReadonlyMap<string, DecidedEdit>, key: string, test: (f: FeatureRecord) => boolean): EffectiveBit[] {
  const lists = listsOf(global);
  let list = lists.whitelisted.get(key);
  if (!list) {
    list = [];
    for (const d of global.values()) if (d.edit.edit.sign === '+' && test(d.feature)) list.push(whitelistBit(d));
    lists.whitelisted.set(key, list);
  }
  return list;
}

function globalMasks(global: ReadonlyMap<string, DecidedEdit>): DecidedEdit[] {
  const lists = listsOf(global);
  if (!lists.masks) {
    lists.masks = [];
    for (const d of global.values()) if (d.edit.edit.sign === '-') lists.masks.push(d);
  }
  return lists.masks;
}

/** The view's whitelisted bits whose feature passes `test` (`key` names the test): the machine's global ones, then its `cpuid for` ones. */
function pushWhitelisted(out: EffectiveBit[], view: CpuidView, key: string, test: (f: FeatureRecord) => boolean): void {
  const scoped = view.scoped;
  for (const bit of globalWhitelist(view.global, key, test)) if (!scoped.has(bit.feature.name)) out.push(bit);
  for (const d of scoped.values()) if (d.edit.edit.sign === '+' && test(d.feature)) out.push(whitelistBit(d));
}

/** Base bits that reach the guest only as KVM defaults (not whitelisted, not masked). */
export function kvmDefaultBits(view: CpuidView): EffectiveBit[] {
  const kvm = subset(view.base, 'kvm', () => view.base.bits.filter((b) => b.from === 'kvm'));
  return mapped(kvm.filter((b) => !view.decision(b.feature.name)), (b) => view.materialize(b));
}

/** Per base: its bits' indexes whose dependencies the base lacks, and by bit name the indexes of the bits that depend on it. */
interface DependencyIndex {
  brokenInBase: number[];
  dependents: Map<string, number[]>;
  /** Which bits the current walk has visited: `seen[i] === walk` (a walk is one view). */
  seen: Uint32Array;
}

let walks = 0;

function dependencyIndex(base: BaseCpuid, kb: KnowledgeBase, qemu: string): DependencyIndex {
  return subset(base, 'dependencies', () => {
    const brokenInBase: number[] = [];
    const dependents = new Map<string, number[]>();
    base.bits.forEach((b, i) => {
      const deps = dependenciesAt(b.feature, qemu);
      if (deps.some((d) => !base.byName.has(kb.feature(d)?.name ?? d))) brokenInBase.push(i);
      for (const d of deps) {
        const name = kb.feature(d)?.name ?? d;
        const list = dependents.get(name);
        if (list) list.push(i);
        else dependents.set(name, [i]);
      }
    });
    return { brokenInBase, dependents, seen: new Uint32Array(base.bits.length) };
  });
}

/**
 * The enabled bits of a view whose dependencies may be missing, each handed to `visit`
 * once: base bits with a dependency the base lacks, then base bits depending on a bit
 * the view masks (as base bits: most turn out to be reported already, for an earlier
 * model), then whitelisted bits with dependencies. A walk per view of every machine
 * checked, so it allocates nothing: `visit` must not start another walk.
 */
export function forEachDependencyCandidate(view: CpuidView, kb: KnowledgeBase, visit: (view: CpuidView, feature: FeatureRecord, base: BaseBit | undefined, whitelisted: EffectiveBit | undefined) => void): void {
  const base = view.base;
  // A base is one QEMU release (view.qemu), so release-bound dependencies are fixed per base.
  const qemu = view.qemu;
  const index = dependencyIndex(base, kb, qemu);
  const walk = (walks = (walks + 1) >>> 0 || 1);
  const { seen } = index;
  const visitBase = (i: number) => {
    if (seen[i] === walk) return;
    seen[i] = walk;
    const bit = base.bits[i];
    if (!view.decision(bit.feature.name)) visit(view, bit.feature, bit, undefined);
  };
  for (const i of index.brokenInBase) visitBase(i);
  const scoped = view.scoped;
  for (const d of globalMasks(view.global)) {
    if (scoped.has(d.feature.name)) continue;
    const list = index.dependents.get(d.feature.name);
    if (list) for (const i of list) visitBase(i);
  }
  for (const d of scoped.values()) {
    if (d.edit.edit.sign !== '-') continue;
    const list = index.dependents.get(d.feature.name);
    if (list) for (const i of list) visitBase(i);
  }
  for (const bit of globalWhitelist(view.global, 'dependencies', (f) => dependenciesAt(f, qemu).length > 0)) if (!scoped.has(bit.feature.name)) visit(view, bit.feature, undefined, bit);
  for (const d of scoped.values()) if (d.edit.edit.sign === '+' && dependenciesAt(d.feature, qemu).length > 0) visit(view, d.feature, undefined, whitelistBit(d));
}

/** The knowledge base's order of features (CPUID leaf, register, bit): the order findings that list bits follow. */
const ranks = new WeakMap<KnowledgeBase, Map<FeatureRecord, number>>();
export function featureRank(kb: KnowledgeBase): ReadonlyMap<FeatureRecord, number> {
  let rank = ranks.get(kb);
  if (!rank) ranks.set(kb, (rank = new Map(kb.features.map((f, i) => [f, i]))));
  return rank;
}

/**
 * A bit as findings kept between checks need it: its feature, source and origin (one
 * object per syntax node), not the edit it came from. An edit of a base's statement that
 * stays as it was keeps its origin while its statement is parsed anew; a kept edit
 * reference would hold the old statement, through it the old region and its
 * declarations, and through what the analysis keeps per declaration, every old version
 * of the document.
 */
export function withoutEdit(bit: EffectiveBit): EffectiveBit {
  return bit.edit ? { feature: bit.feature, source: bit.source, origin: bit.origin, edit: undefined } : bit;
}
