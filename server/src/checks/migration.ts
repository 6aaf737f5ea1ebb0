/**
 * Live migration: MT200 (an enabled bit makes the guest use a state MSR the
 * machine does not migrate), MT201 (a bit that blocks migration), and the
 * `migrate` list itself: MT120 unknown MSR, MT121 already migrated, MT202 an MSR
 * some host kernel in range cannot restore.
 */
import { compareVersions } from '../common/version';
import { joinNames, msrWithIndex } from '../kb/describe';
import { causeAt, type Finding, type FixIntent } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { MachineCheck, MachineContext } from './context';
import { migratedSinceUnder, migrationOf } from './msr-facts';
import type { FeatureRecord, MsrRecord } from '../kb/types';
import type { EffectiveBit } from '../model/cpuid';
import { enabledWhere, featureRank, hasStateMsr, mayBlockMigration, withoutEdit } from './base-subsets';
import { withSightings, type FeatureTouch } from './reuse';
import { activeBlock } from './migration-blocks';
import { releaseRejects } from './release-names';
import { mapped } from '../common/arrays';

/** MT200 and MT201 look only at bits with a state MSR or a migration block. */
export const unmigratedMsrsTouch: FeatureTouch = (f, ctx) => hasStateMsr(f, ctx.kb) || mayBlockMigration(f, ctx.kb);

/**
 * Where a bit with a state MSR or a migration block is enabled: the views (by index) and
 * the bit there, for each such feature of the machine. MT200/MT201 report each feature
 * once per place, for the first view it is seen at there. A machine checked again
 * because a base decided a few features otherwise (checks/reuse.ts) looks again only at
 * those features. Never changed once made.
 */
export type MigrationSightings = ReadonlyMap<FeatureRecord, ReadonlyArray<{ view: number; bit: EffectiveBit }>>;

const watched = (f: FeatureRecord, kb: KnowledgeBase) => hasStateMsr(f, kb) || mayBlockMigration(f, kb);

export const checkUnmigratedMsrs: MachineCheck = (ctx, report) => reportUnmigratedMsrs(ctx, judgeUnmigratedMsrs(ctx), report);

export function judgeUnmigratedMsrs(ctx: MachineContext): MigrationSightings {
  const { kb } = ctx;
  const sightings = new Map<FeatureRecord, Array<{ view: number; bit: EffectiveBit }>>();
  // Whitelisted bits are shared by the machine's models: one look each.
  const seen = new Set<EffectiveBit>();
  const views = ctx.views;
  for (let v = 0; v < views.length; v++) {
    for (const test of [mayBlockMigration, hasStateMsr]) {
      for (const bit of enabledWhere(views[v], kb, test)) {
        if (bit.source === 'whitelist' && seen.has(bit)) continue;
        seen.add(bit);
        if (releaseRejects(ctx, bit)) continue;
        let list = sightings.get(bit.feature);
        if (!list) sightings.set(bit.feature, (list = []));
        // A bit with both a block and a state MSR is met by both tests in the same view.
        if (list.length === 0 || list[list.length - 1].view !== v || list[list.length - 1].bit.origin !== bit.origin) list.push({ view: v, bit: withoutEdit(bit) });
      }
    }
  }
  return sightings;
}

/** The sightings again after `changed` features are decided otherwise: only theirs are looked at anew. */
export function rejudgeUnmigratedMsrs(ctx: MachineContext, last: MigrationSightings, changed: Iterable<FeatureRecord>): MigrationSightings {
  let out: Map<FeatureRecord, ReadonlyArray<{ view: number; bit: EffectiveBit }>> | undefined;
  const views = ctx.views;
  for (const f of changed) {
    if (!watched(f, ctx.kb)) continue;
    const list: Array<{ view: number; bit: EffectiveBit }> = [];
    // As the walk above: a whitelisted bit (one per deciding edit) is looked at once.
    const seen = new Set<EffectiveBit>();
    for (let v = 0; v < views.length; v++) {
      const view = views[v];
      if (!view.isEnabled(f.name)) continue;
      const w = view.whitelisted(f.name);
      if (w && seen.has(w)) continue;
      if (w) seen.add(w);
      const bit = w ?? view.materialize(view.base.byName.get(f.name)!);
      if (releaseRejects(ctx, bit)) continue;
      list.push({ view: v, bit: withoutEdit(bit) });
    }
    out = withSightings(out, last, f, list, sameSightings);
  }
  return out ?? last;
}

/** The same views, and bits from the same statements (a model's bit is made anew per view). */
function sameSightings(a: ReadonlyArray<{ view: number; bit: EffectiveBit }>, b: ReadonlyArray<{ view: number; bit: EffectiveBit }>): boolean {
  return a.length === b.length && a.every((x, i) => x.view === b[i].view && x.bit.origin === b[i].bit.origin && x.bit.source === b[i].bit.source);
}

/** In the order of the views; in each, MT201 before MT200, bits in the knowledge base's order. */
export function reportUnmigratedMsrs(ctx: MachineContext, sightings: MigrationSightings, report: (f: Finding) => void): void {
  const { kb } = ctx;
  const qemu = ctx.qemu;
  const rank = featureRank(kb);
  const reported = new Set<string>();
  // The state MSRs of a feature that this machine does not migrate depend on the feature
  // alone, not on the CPU model: work them out once per feature, not once per model.
  const unmigratedOf = (feature: FeatureRecord) => {
    const list: Array<{ msr: MsrRecord; since: string }> = [];
    for (const msr of kb.msrsOfFeature(feature.name)) {
      if (msr.role !== 'state') continue;
      const m = migrationOf(ctx.machine, qemu, msr, kb);
      if (m.migrated === false) list.push({ msr, since: m.since });
    }
    return list;
  };
  const blocks = !ctx.machine.followsHost.value;
  const accel = ctx.machine.accel.value;
  const events: Array<{ view: number; blocking: boolean; feature: FeatureRecord; bit: EffectiveBit }> = [];
  for (const [feature, list] of sightings) {
    for (const { view, bit } of list) {
      if (blocks && mayBlockMigration(feature, kb)) events.push({ view, blocking: true, feature, bit });
      if (hasStateMsr(feature, kb)) events.push({ view, blocking: false, feature, bit });
    }
  }
  events.sort((a, b) => a.view - b.view || Number(b.blocking) - Number(a.blocking) || rank.get(a.feature)! - rank.get(b.feature)!);
  const unmigrated = new Map<FeatureRecord, Array<{ msr: MsrRecord; since: string }>>();
  for (const { view, blocking, feature, bit } of events) {
    const modelName = ctx.views[view].modelName;
    if (blocking) {
      const block = activeBlock(ctx, feature);
      if (!block) continue;
      const where = ctx.place(bit.origin, `${feature.name} comes from here`);
      const key = `MT201|${feature.name}|${where.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const fixes: FixIntent[] = [{ kind: 'mask', title: `Mask ${feature.name}`, machine: ctx.name, features: [feature.name], preferred: true }];
      if (block.tscFrequencyLiftsFrom && !ctx.machine.tscFrequency) {
        fixes.push({ kind: 'add-statement', title: 'Set a fixed tsc-frequency (edit the value to your hosts\' TSC rate)', machine: ctx.name, text: `tsc-frequency ${PLACEHOLDER_TSC_HZ}` });
      }
      const lift = block.tscFrequencyLiftsFrom ? `; QEMU ${qemu} migrates it with a fixed tsc-frequency` : '';
      report({
        code: 'MT201',
        message: `${ctx.bitSource(bit, modelName)}, which blocks live migration of ${ctx.name} in QEMU ${qemu} (${block.reason})${lift}`,
        ...where,
        cause: causeAt(ctx.causeOf(bit), `${feature.name}|${block.reason}|${lift ? 'tsc' : ''}`),
        fixes,
      });
      continue;
    }
    let msrs = unmigrated.get(feature);
    if (!msrs) unmigrated.set(feature, (msrs = unmigratedOf(feature)));
    if (msrs.length === 0) continue;
    const where = ctx.place(bit.origin, `${feature.name} comes from here`);
    // One finding per bit and first-migrating release: the 28 MTRR MSRs behind mtrr are
    // one fault, not 28.
    const groups = new Map<string, MsrRecord[]>();
    for (const m of msrs) (groups.get(m.since) ?? groups.set(m.since, []).get(m.since)!).push(m.msr);
    for (const [since, group] of groups) {
      const key = `MT200|${feature.name}|${since}|${where.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const names = mapped(group, (m) => m.name);
      const one = group.length === 1;
      const fixes: FixIntent[] = [
        { kind: 'mask', title: `Mask ${feature.name}`, machine: ctx.name, features: [feature.name], preferred: true },
        { kind: 'add-migrate', title: `Declare that ${ctx.name} migrates ${one ? names[0] : `these ${group.length} MSRs`}`, machine: ctx.name, msr: names.join(' ') },
        { kind: 'set-qemu', title: `Raise qemu to ${since}, the first release that migrates ${one ? names[0] : 'them'}${accel === 'kvm' ? ' under KVM' : ''}`, machine: ctx.name, version: since },
      ];
      const how = accel === 'kvm' ? 'under KVM (it must both send it and restore it through KVM)' : 'under TCG';
      const what = one ? msrWithIndex(group[0]) : `${group.length} MSRs (${joinNames(mapped(group, msrWithIndex), 3)})`;
      report({
        code: 'MT200',
        message: `${ctx.bitSource(bit, modelName)}; the guest of ${ctx.name} writes ${what}, which QEMU ${qemu} does not migrate ${one ? how : how.replace('it must', 'they must').replace('send it and restore it', 'send them and restore them')}; first migrated in ${since}: live migration loses ${one ? 'it' : 'them'}`,
        ...where,
        cause: causeAt(ctx.causeOf(bit), `${feature.name}|${since}|${names.join(' ')}`),
        fixes,
      });
    }
  }
}

/** A common TSC rate, as a starting value the author edits; any fixed value lifts the block. */
const PLACEHOLDER_TSC_HZ = '2400000000';

/** Whether the machine exposes a bit that makes the guest use `msr` (an MSR no bit gates counts as exposed). */
function gateExposed(ctx: MachineContext, msr: MsrRecord): boolean {
  const gates = ctx.kb.featuresOfMsr(msr);
  if (gates.length === 0) return true;
  return ctx.views.some((v) => gates.some((g) => v.isEnabled(g.name)));
}

/** MT202 asks whether a bit that gates a listed MSR is exposed. */
export const migrateListTouch: FeatureTouch = (f, ctx) => ctx.kb.msrsOfFeature(f.name).length > 0;

export const checkMigrateList: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  const qemu = ctx.qemu;
  const kernelMin = ctx.kernelMin;
  for (const s of ctx.ref.decl.statements) {
    if (s.kind !== 'migrate') continue;
    for (const name of s.msrs) {
      // Removing the only MSR of a one-line `migrate` removes the statement, so the file still parses.
      const removal = s.msrs.length === 1 && !s.block ? { start: s.start, end: s.end } : name;
      const msr = kb.msr(name.text);
      if (!msr) {
        const isIndex = /^0x[0-9a-f]+$/i.test(name.text);
        const suggestions = isIndex || !ctx.maySuggest('msr', name.start) ? [] : kb.suggestMsr(name.text);
        report({
          code: 'MT120',
          message: isIndex
            ? `the knowledge base has no MSR at index ${name.text.toLowerCase()}`
            : `unknown MSR '${name.text}'${suggestions.length ? `; did you mean ${mapped(suggestions, (x) => `'${x}'`).join(', ')}?` : ''}`,
          span: name,
          fixes: mapped(suggestions, (x, i): FixIntent => ({ kind: 'replace', title: `Change to '${x}'`, span: name, text: x, preferred: i === 0 && suggestions.length === 1 })),
        });
        continue;
      }
      const since = migratedSinceUnder(msr, ctx.machine.accel.value);
      if (since && compareVersions(qemu, since) >= 0) {
        report({
          code: 'MT121',
          message: `QEMU ${qemu} already migrates ${msrWithIndex(msr)} (since ${since})`,
          span: name,
          tags: ['unnecessary'],
          fixes: [{ kind: 'remove', title: `Remove ${name.text} from migrate`, span: removal, preferred: true }],
        });
      }
      // Only KVM restores MSRs, and only an MSR whose gating bit the guest has is ever written.
      if (ctx.machine.accel.value === 'kvm' && msr.kvmSince && kernelMin && compareVersions(kernelMin.value, msr.kvmSince) < 0 && gateExposed(ctx, msr)) {
        report({
          code: 'MT202',
          message: `machine ${ctx.name} migrates ${msrWithIndex(msr)}, but KVM can only save and restore it from Linux ${msr.kvmSince}; host kernels from ${kernelMin.value} are allowed`,
          span: name,
          fixes: [
            { kind: 'set-kernel', title: `Raise host-kernel to ${msr.kvmSince}`, machine: ctx.name, min: msr.kvmSince, preferred: true },
            { kind: 'remove', title: `Remove ${name.text} from migrate`, span: removal },
          ],
        });
      }
    }
  }
};
