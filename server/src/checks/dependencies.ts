/**
 * MT103: an enabled bit needs a bit that is not enabled.
 *
 * The check is a set of verdicts, one per missing pair (bit, dependency): the first of
 * the machine's views (models, in order) where the bit is enabled and the dependency is
 * not, with what the finding says there. Findings are made from the verdicts in one
 * order (view, then the knowledge base's order of bit and dependency), so the verdicts
 * can be kept: when a base's edit changes how a few features are decided for a machine
 * below (checks/reuse.ts), only the pairs with one of those features are judged again.
 * In a deep chain a bit others need (sse, pae) typed in a base reaches tens of machines,
 * each checked for tens of models.
 */
import { featureWithLocation } from '../kb/describe';
import { causeAt, type Finding, type FixIntent } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord } from '../kb/types';
import type { Origin } from '../model/resolve';
import type { CpuidView, EffectiveBit } from '../model/cpuid';
import type { MachineCheck, MachineContext } from './context';
import { dependencyRecordsAt, featureRank, forEachDependencyCandidate, hasDependencies, isDependency } from './base-subsets';
import type { FeatureTouch } from './reuse';
import { mapped } from '../common/arrays';

/** MT103 reads a bit's decision only when the bit needs others or others need it. */
export const dependenciesTouch: FeatureTouch = (f, ctx) => hasDependencies(f, ctx.kb) || isDependency(f, ctx.kb);

/** A bit whose dependency is missing in one model of the machine, and what causes it. */
interface MissingDependency {
  feature: FeatureRecord;
  dep: FeatureRecord;
  masked: boolean;
  modelName: string;
  /** The index of the view (model) it is reported for: the first where it is missing. */
  view: number;
  /** The statement the finding points at. */
  origin: Origin | undefined;
  /** What folding matches a base's finding by: the mask, else the bit's origin. */
  cause: object | undefined;
}

/** The verdicts of one machine: per bit, per dependency it misses. Kept as made (never changed afterwards). */
export type DependencyVerdicts = ReadonlyMap<FeatureRecord, ReadonlyMap<FeatureRecord, MissingDependency>>;

export const checkDependencies: MachineCheck = (ctx, report) => reportDependencies(ctx, judgeDependencies(ctx), report);

/** Every missing pair of the machine, walking each view's candidates (checks/base-subsets.ts). */
export function judgeDependencies(ctx: MachineContext): DependencyVerdicts {
  const verdicts = new Map<FeatureRecord, Map<FeatureRecord, MissingDependency>>();
  const views = ctx.views;
  for (let v = 0; v < views.length; v++) {
    forEachDependencyCandidate(views[v], ctx.kb, (view, feature, base, whitelisted) => {
      for (const dep of dependencyRecordsAt(feature, view.qemu, ctx.kb)) {
        // A pair found in an earlier model is skipped before the view is asked (most are).
        let pairs = verdicts.get(feature);
        if (pairs?.has(dep) || view.isEnabled(dep.name)) continue;
        if (!pairs) verdicts.set(feature, (pairs = new Map()));
        pairs.set(dep, missingIn(ctx, view, v, feature, dep, whitelisted ?? view.materialize(base!)));
      }
    });
  }
  return verdicts;
}

/**
 * The verdicts again after `changed` features are decided otherwise: the pairs with one
 * of them as the bit or as the dependency are judged anew, the others stand (their bits
 * are decided by the same edits in every view, and the views are those of the last check).
 */
export function rejudgeDependencies(ctx: MachineContext, last: DependencyVerdicts, changed: Iterable<FeatureRecord>): DependencyVerdicts {
  // Made on the first verdict that changes: none changed, and the last verdicts (and their findings) stand.
  let copy: Map<FeatureRecord, ReadonlyMap<FeatureRecord, MissingDependency>> | undefined;
  // Copied once per bit before its first change: the last verdicts stay as they were.
  const own = new Set<FeatureRecord>();
  const pairsOf = (feature: FeatureRecord) => {
    copy ??= new Map(last);
    let pairs = copy.get(feature) as Map<FeatureRecord, MissingDependency> | undefined;
    if (!own.has(feature)) {
      pairs = new Map(pairs);
      copy.set(feature, pairs);
      own.add(feature);
    }
    return pairs!;
  };
  const judge = (feature: FeatureRecord, dep: FeatureRecord, views: readonly number[]) => {
    const found = firstMissing(ctx, feature, dep, views);
    const had = (copy ?? last).get(feature)?.get(dep);
    if (!found && !had) return;
    // The same verdict, found again, is no change.
    if (found && had && sameVerdict(found, had)) return;
    const pairs = pairsOf(feature);
    if (found) pairs.set(dep, found);
    else pairs.delete(dep);
    if (pairs.size === 0) copy!.delete(feature);
  };
  const qemu = ctx.qemu;
  const all = ctx.views.map((_, v) => v);
  for (const f of changed) {
    for (const dep of dependencyRecordsAt(f, qemu, ctx.kb)) judge(f, dep, all);
    // The bits that need f can miss it only where f is off: most often in no view at all.
    const off = all.filter((v) => !ctx.views[v].isEnabled(f.name));
    for (const bit of dependentsAt(f, qemu, ctx.kb)) judge(bit, f, off);
  }
  return copy ?? last;
}

function sameVerdict(a: MissingDependency, b: MissingDependency): boolean {
  return a.view === b.view && a.masked === b.masked && a.modelName === b.modelName && a.origin === b.origin && a.cause === b.cause;
}

/** The first of `views` (indexes, ascending) where `feature` is enabled and `dep` is not, as a verdict. */
function firstMissing(ctx: MachineContext, feature: FeatureRecord, dep: FeatureRecord, views: readonly number[]): MissingDependency | undefined {
  for (const v of views) {
    const view = ctx.views[v];
    if (!view.isEnabled(feature.name) || view.isEnabled(dep.name)) continue;
    const base = view.base.byName.get(feature.name);
    return missingIn(ctx, view, v, feature, dep, view.whitelisted(feature.name) ?? view.materialize(base!));
  }
  return undefined;
}

function missingIn(ctx: MachineContext, view: CpuidView, index: number, feature: FeatureRecord, dep: FeatureRecord, bit: EffectiveBit): MissingDependency {
  const masked = view.masked(dep.name);
  return {
    feature,
    dep,
    masked: !!masked,
    modelName: view.modelName,
    view: index,
    // Point at what the author can change: their own mask of the dependency, else where the bit came from.
    origin: masked && ctx.isOwn(masked.edit.origin) ? masked.edit.origin : bit.origin,
    // The cause is the mask when there is one (a base's mask, inherited), else the bit's origin.
    cause: masked?.edit.origin ?? ctx.causeOf(bit),
  };
}

/**
 * The bits that need `f` in QEMU `qemu`: those that always do (one map per knowledge
 * base), and those whose release-bound dependency on it holds in that release (a few
 * features have one). Asked for each machine of a chain, and each has its own release:
 * a map per release would scan the whole knowledge base once per release on the first
 * keystroke in a deep chain.
 */
interface Dependents {
  lasting: Map<FeatureRecord, FeatureRecord[]>;
  releaseBound: FeatureRecord[];
}
const dependentsByKb = new WeakMap<KnowledgeBase, Dependents>();

function dependentsAt(f: FeatureRecord, qemu: string, kb: KnowledgeBase): readonly FeatureRecord[] {
  let dependents = dependentsByKb.get(kb);
  if (!dependents) {
    dependents = { lasting: new Map(), releaseBound: kb.features.filter((g) => g.dependsOnInReleases?.length) };
    for (const g of kb.features) {
      for (const name of g.dependsOn) {
        const d = kb.feature(name);
        if (!d) continue;
        const list = dependents.lasting.get(d);
        if (!list) dependents.lasting.set(d, [g]);
        else if (!list.includes(g)) list.push(g);
      }
    }
    dependentsByKb.set(kb, dependents);
  }
  const lasting = dependents.lasting.get(f) ?? [];
  let all: FeatureRecord[] | undefined;
  for (const g of dependents.releaseBound) if (!lasting.includes(g) && dependencyRecordsAt(g, qemu, kb).includes(f)) (all ??= [...lasting]).push(g);
  return all ?? lasting;
}

/** The findings of the verdicts, in the order of their views, then of bit and dependency in the knowledge base. */
export function reportDependencies(ctx: MachineContext, verdicts: DependencyVerdicts, report: (f: Finding) => void): void {
  const rank = featureRank(ctx.kb);
  const all: MissingDependency[] = [];
  for (const pairs of verdicts.values()) for (const m of pairs.values()) all.push(m);
  all.sort((a, b) => a.view - b.view || rank.get(a.feature)! - rank.get(b.feature)! || rank.get(a.dep)! - rank.get(b.dep)!);
  if (!ctx.perCause) {
    for (const m of all) report(dependencyFinding(ctx, m));
    return;
  }
  // One finding per cause: the bits that miss one dependency through one statement (a mask, a model), together.
  const together = new Map<Origin | undefined, Map<string, MissingDependency[]>>();
  for (const found of all) {
    let byOrigin = together.get(found.origin);
    if (!byOrigin) together.set(found.origin, (byOrigin = new Map()));
    const key = `${found.dep.name}|${found.masked}`;
    const group = byOrigin.get(key);
    if (!group) byOrigin.set(key, [found]);
    else if (group[0].cause === found.cause) group.push(found);
    // The same statement, a dependency missing for another cause (rare): its own finding.
    else report(dependencyFinding(ctx, found));
  }
  for (const byOrigin of together.values()) for (const group of byOrigin.values()) report(group.length === 1 ? dependencyFinding(ctx, group[0]) : dependencyGroupFinding(ctx, group));
}

/** MT103 for one bit. */
function dependencyFinding(ctx: MachineContext, { feature, dep, masked, modelName, origin, cause }: MissingDependency): Finding {
  const key = `${feature.name}>${dep.name}`;
  return {
    code: 'MT103',
    message: `${featureWithLocation(feature)} needs ${featureWithLocation(dep)}, which ${masked ? 'is masked' : 'is not enabled'} in machine ${ctx.name} for ${modelName}`,
    ...ctx.place(origin, `${feature.name} comes from here`),
    cause: causeAt(cause, `${key}|${masked ? 'masked' : 'off'}`),
    fixes: [whitelistDependency(ctx.name, dep)],
  };
}

/**
 * MT103 for the bits that miss the same dependency through the same statement (a mask
 * of it, or the model or line that brings them in): one finding listing them, whose
 * fix (whitelist the dependency) is the one fix for all of them.
 */
function dependencyGroupFinding(ctx: MachineContext, group: MissingDependency[]): Finding {
  const { dep, masked, modelName, origin, cause } = group[0];
  const oneModel = group.every((m) => m.modelName === modelName);
  const items = mapped(group, (m) => `${featureWithLocation(m.feature)}${oneModel ? '' : ` for ${m.modelName}`}`);
  // The subject names every bit, so that only the same group of a base folds it in (fold.ts).
  const subject = `${dep.name}<${mapped(group, (m) => m.feature.name).join(',')}|${masked ? 'masked' : 'off'}`;
  return {
    code: 'MT103',
    message: `${group.length} bits need ${featureWithLocation(dep)}, which ${masked ? 'is masked' : 'is not enabled'} in machine ${ctx.name}${oneModel ? ` for ${modelName}` : ''}: ${items.join('; ')}`,
    ...ctx.place(origin, oneModel ? `${modelName}'s bits come from here` : 'the bits come from here'),
    cause: causeAt(cause, subject),
    fixes: [whitelistDependency(ctx.name, dep)],
  };
}

function whitelistDependency(machine: string, dep: FeatureRecord): FixIntent {
  return { kind: 'whitelist', title: `Whitelist ${dep.name}`, machine, features: [dep.name], preferred: true };
}
