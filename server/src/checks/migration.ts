/**
 * Live migration: MT200 (an enabled bit makes the guest use a state MSR the
 * machine does not migrate), MT201 (a bit that blocks migration), and the
 * `migrate` list itself: MT120 unknown MSR, MT121 already migrated, MT202 an MSR
 * some host kernel in range cannot restore.
 */
import { compareVersions } from '../common/version';
import { joinNames, msrWithIndex } from '../kb/describe';
import { causeAt, type FixIntent } from '../common/diagnostic';
import type { MachineCheck, MachineContext } from './context';
import { migratedSinceUnder, migrationOf } from './msr-facts';
import type { FeatureRecord, MsrRecord } from '../kb/types';
import type { EffectiveBit } from '../model/cpuid';
import { enabledWhere, hasStateMsr, mayBlockMigration } from './base-subsets';
import type { FeatureTouch } from './reuse';
import { activeBlock } from './migration-blocks';
import { releaseRejects } from './release-names';
import { mapped } from '../common/arrays';

/** MT200 and MT201 look only at bits with a state MSR or a migration block. */
export const unmigratedMsrsTouch: FeatureTouch = (f, ctx) => hasStateMsr(f, ctx.kb) || mayBlockMigration(f, ctx.kb);

export const checkUnmigratedMsrs: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  const qemu = ctx.qemu;
  const reported = new Set<string>();
  // The state MSRs of a feature that this machine does not migrate depend on the feature
  // alone, not on the CPU model: work them out once per feature, not once per model.
  const unmigrated = new Map<string, Array<{ msr: MsrRecord; since: string }>>();
  const unmigratedOf = (feature: FeatureRecord) => {
    let list = unmigrated.get(feature.name);
    if (!list) {
      list = [];
      for (const msr of kb.msrsOfFeature(feature.name)) {
        if (msr.role !== 'state') continue;
        const m = migrationOf(ctx.machine, qemu, msr, kb);
        if (m.migrated === false) list.push({ msr, since: m.since });
      }
      unmigrated.set(feature.name, list);
    }
    return list;
  };
  const blocks = !ctx.machine.followsHost.value;
  const accel = ctx.machine.accel.value;
  // Whitelisted bits are shared by the machine's models, and neither finding depends on the model: one look each.
  const firstLook = (seen: Set<EffectiveBit>, bit: EffectiveBit) => bit.source !== 'whitelist' || (!seen.has(bit) && !!seen.add(bit));
  const blockSeen = new Set<EffectiveBit>();
  const stateSeen = new Set<EffectiveBit>();
  for (const cpuid of ctx.views) {
    if (blocks) {
      for (const bit of enabledWhere(cpuid, kb, mayBlockMigration)) {
        if (!firstLook(blockSeen, bit) || releaseRejects(ctx, bit)) continue;
        const block = activeBlock(ctx, bit.feature);
        if (!block) continue;
        const where = ctx.place(bit.origin, `${bit.feature.name} comes from here`);
        const key = `MT201|${bit.feature.name}|${where.span.start}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const fixes: FixIntent[] = [{ kind: 'mask', title: `Mask ${bit.feature.name}`, machine: ctx.name, features: [bit.feature.name], preferred: true }];
        if (block.tscFrequencyLiftsFrom && !ctx.machine.tscFrequency) {
          fixes.push({ kind: 'add-statement', title: 'Set a fixed tsc-frequency (edit the value to your hosts\' TSC rate)', machine: ctx.name, text: `tsc-frequency ${PLACEHOLDER_TSC_HZ}` });
        }
        const lift = block.tscFrequencyLiftsFrom ? `; QEMU ${qemu} migrates it with a fixed tsc-frequency` : '';
        report({
          code: 'MT201',
          message: `${ctx.bitSource(bit, cpuid.modelName)}, which blocks live migration of ${ctx.name} in QEMU ${qemu} (${block.reason})${lift}`,
          ...where,
          cause: causeAt(ctx.causeOf(bit), `${bit.feature.name}|${block.reason}|${lift ? 'tsc' : ''}`),
          fixes,
        });
      }
    }
    for (const bit of enabledWhere(cpuid, kb, hasStateMsr)) {
      if (!firstLook(stateSeen, bit)) continue;
      const msrs = unmigratedOf(bit.feature);
      if (msrs.length === 0 || releaseRejects(ctx, bit)) continue;
      const where = ctx.place(bit.origin, `${bit.feature.name} comes from here`);
      // One finding per bit and first-migrating release: the 28 MTRR MSRs behind mtrr are
      // one fault, not 28.
      const groups = new Map<string, MsrRecord[]>();
      for (const m of msrs) (groups.get(m.since) ?? groups.set(m.since, []).get(m.since)!).push(m.msr);
      for (const [since, group] of groups) {
        const key = `MT200|${bit.feature.name}|${since}|${where.span.start}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const names = mapped(group, (m) => m.name);
        const one = group.length === 1;
        const fixes: FixIntent[] = [
          { kind: 'mask', title: `Mask ${bit.feature.name}`, machine: ctx.name, features: [bit.feature.name], preferred: true },
          { kind: 'add-migrate', title: `Declare that ${ctx.name} migrates ${one ? names[0] : `these ${group.length} MSRs`}`, machine: ctx.name, msr: names.join(' ') },
          { kind: 'set-qemu', title: `Raise qemu to ${since}, the first release that migrates ${one ? names[0] : 'them'}${accel === 'kvm' ? ' under KVM' : ''}`, machine: ctx.name, version: since },
        ];
        const how = accel === 'kvm' ? 'under KVM (it must both send it and restore it through KVM)' : 'under TCG';
        const what = one ? msrWithIndex(group[0]) : `${group.length} MSRs (${joinNames(mapped(group, msrWithIndex), 3)})`;
        report({
          code: 'MT200',
          message: `${ctx.bitSource(bit, cpuid.modelName)}; the guest of ${ctx.name} writes ${what}, which QEMU ${qemu} does not migrate ${one ? how : how.replace('it must', 'they must').replace('send it and restore it', 'send them and restore them')}; first migrated in ${since}: live migration loses ${one ? 'it' : 'them'}`,
          ...where,
          cause: causeAt(ctx.causeOf(bit), `${bit.feature.name}|${since}|${names.join(' ')}`),
          fixes,
        });
      }
    }
  }
};

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
