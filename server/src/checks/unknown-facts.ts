/**
 * MT303: what the knowledge base does not know about a machine's bits, so that a
 * silent MT200/MT300 is not read as a clean bill: enabled bits without a KVM floor
 * for the host vendor, and state MSRs of enabled bits without a known first
 * migrating release. One finding per machine, listing them in the knowledge base's
 * order.
 *
 * The check is a set of verdicts per bit (listed for its floor; bringing in its state
 * MSRs), so that a machine checked again because a base decided a few features
 * otherwise (checks/reuse.ts) judges only those features again.
 */
import { joinNames, msrWithIndex } from '../kb/describe';
import { hostVendor } from '../kb/knowledge-base';
import type { FeatureRecord, MsrRecord } from '../kb/types';
import type { Finding } from '../common/diagnostic';
import type { MachineCheck, MachineContext } from './context';
import { enabledWhere, featureRank, hasStateMsr, type FeatureTest } from './base-subsets';
import { migratedSinceUnder, migrationOf } from './msr-facts';
import { releaseRejects } from './release-names';
import type { CpuidView, EffectiveBit } from '../model/cpuid';
import type { FeatureTouch } from './reuse';

// One test per vendor, since base subsets are keyed by the test's name.
const unknownFloorIntel: FeatureTest = (f, kb) => !kb.kernelFloor(f, 'intel');
const unknownFloorAmd: FeatureTest = (f, kb) => !kb.kernelFloor(f, 'amd');
const unknownFloorNeutral: FeatureTest = (f, kb) => !kb.kernelFloor(f, null);

function floorTest(view: CpuidView): FeatureTest {
  const vendor = hostVendor(view.model);
  return vendor === 'intel' ? unknownFloorIntel : vendor === 'amd' ? unknownFloorAmd : unknownFloorNeutral;
}

/** MT303 lists bits without a known floor for some vendor, and bits with state MSRs. */
export const unknownFactsTouch: FeatureTouch = (f, ctx) => hasStateMsr(f, ctx.kb) || unknownFloorIntel(f, ctx.kb) || unknownFloorAmd(f, ctx.kb) || unknownFloorNeutral(f, ctx.kb);

/** Per machine: the bits listed for their floor, and the enabled bits with state MSRs (whose MSRs may be unknown). Never changed once made. */
export interface UnknownFactsVerdicts {
  floors: ReadonlySet<FeatureRecord>;
  stateBits: ReadonlySet<FeatureRecord>;
}

export const checkUnknownFacts: MachineCheck = (ctx, report) => reportUnknownFacts(ctx, judgeUnknownFacts(ctx), report);

/** Host-kernel facts matter only where the host kernel's KVM builds the CPUID. */
function kernelFacts(ctx: MachineContext): boolean {
  return ctx.machine.accel.value === 'kvm' && !ctx.machine.followsHost.value;
}

export function judgeUnknownFacts(ctx: MachineContext): UnknownFactsVerdicts {
  const { kb } = ctx;
  const floors = new Set<FeatureRecord>();
  const stateBits = new Set<FeatureRecord>();
  const withFloors = kernelFacts(ctx);
  // Whitelisted bits are shared by the machine's models: each is looked at once per test.
  const looked = new Map<FeatureTest, Set<EffectiveBit>>();
  const firstLook = (test: FeatureTest, bit: EffectiveBit) => {
    if (bit.source !== 'whitelist') return true;
    let seen = looked.get(test);
    if (!seen) looked.set(test, (seen = new Set()));
    return !seen.has(bit) && !!seen.add(bit);
  };
  for (const cpuid of ctx.views) {
    if (cpuid.model?.followsHost) continue;
    if (withFloors) {
      const test = floorTest(cpuid);
      for (const bit of enabledWhere(cpuid, kb, test)) {
        if (firstLook(test, bit) && !releaseRejects(ctx, bit) && !ctx.provides(bit.feature.name)) floors.add(bit.feature);
      }
    }
    for (const bit of enabledWhere(cpuid, kb, hasStateMsr)) if (firstLook(hasStateMsr, bit) && !releaseRejects(ctx, bit)) stateBits.add(bit.feature);
  }
  return { floors, stateBits };
}

/** The verdicts again after `changed` features are decided otherwise: only theirs are judged anew. */
export function rejudgeUnknownFacts(ctx: MachineContext, last: UnknownFactsVerdicts, changed: Iterable<FeatureRecord>): UnknownFactsVerdicts {
  let floors: Set<FeatureRecord> | undefined;
  let stateBits: Set<FeatureRecord> | undefined;
  const withFloors = kernelFacts(ctx);
  for (const f of changed) {
    let floor = false;
    let state = false;
    for (const view of ctx.views) {
      if (view.model?.followsHost || !view.isEnabled(f.name)) continue;
      // A whitelisted bit is rejected by the release for its edit's spelling (MT104); a model's never.
      const bit = view.whitelisted(f.name);
      if (bit && releaseRejects(ctx, bit)) continue;
      if (withFloors && !floor && floorTest(view)(f, ctx.kb) && !ctx.provides(f.name)) floor = true;
      if (!state && hasStateMsr(f, ctx.kb)) state = true;
      if ((floor || !withFloors) && state) break;
    }
    if (floor !== last.floors.has(f)) {
      floors ??= new Set(last.floors);
      if (floor) floors.add(f);
      else floors.delete(f);
    }
    if (state !== last.stateBits.has(f)) {
      stateBits ??= new Set(last.stateBits);
      if (state) stateBits.add(f);
      else stateBits.delete(f);
    }
  }
  return floors || stateBits ? { floors: floors ?? last.floors, stateBits: stateBits ?? last.stateBits } : last;
}

export function reportUnknownFacts(ctx: MachineContext, verdicts: UnknownFactsVerdicts, report: (f: Finding) => void): void {
  const finding = findingOf(ctx, verdicts);
  if (finding) report(finding);
}

function findingOf(ctx: MachineContext, { floors, stateBits }: UnknownFactsVerdicts): Finding | undefined {
  const { kb } = ctx;
  const rank = featureRank(kb);
  const byRank = (a: FeatureRecord, b: FeatureRecord) => rank.get(a)! - rank.get(b)!;
  const bits = [...floors].sort(byRank);
  const accel = ctx.machine.accel.value;
  const msrs = new Map<string, MsrRecord>();
  for (const f of [...stateBits].sort(byRank)) {
    for (const msr of kb.msrsOfFeature(f.name)) {
      // Only an MSR without a known first migrating release can be unknown (most have one).
      if (msr.role !== 'state' || migratedSinceUnder(msr, accel) || msrs.has(msr.name)) continue;
      if (migrationOf(ctx.machine, ctx.qemu, msr, kb).migrated === undefined) msrs.set(msr.name, msr);
    }
  }
  if (bits.length === 0 && msrs.size === 0) return undefined;
  const parts: string[] = [];
  if (bits.length) parts.push(`from which Linux release KVM exposes ${plural(bits.length, 'enabled bit')} (${joinNames(bits.map((f) => f.name), 8)})`);
  if (msrs.size) parts.push(`from which QEMU release ${accel === 'kvm' ? 'under KVM ' : ''}migrates ${plural(msrs.size, 'state MSR')} they use (${joinNames([...msrs.values()].map(msrWithIndex), 6)})`);
  return { code: 'MT303', message: `the knowledge base does not know ${parts.join(', nor ')}, so MT200 and MT300 cannot vouch for them in ${ctx.name}`, span: ctx.nameSpan };
}


function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
