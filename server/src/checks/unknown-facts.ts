/**
 * MT303: what the knowledge base does not know about a machine's bits, so that a
 * silent MT200/MT300 is not read as a clean bill: enabled bits without a KVM floor
 * for the host vendor, and state MSRs of enabled bits without a known first
 * migrating release. One finding per machine, listing them.
 */
import { joinNames, msrWithIndex } from '../kb/describe';
import { hostVendor } from '../kb/knowledge-base';
import type { MsrRecord } from '../kb/types';
import type { MachineCheck } from './context';
import { enabledWhere, hasStateMsr, type FeatureTest } from './base-subsets';
import { migratedSinceUnder, migrationOf } from './msr-facts';
import { releaseRejects } from './release-names';
import type { EffectiveBit } from '../model/cpuid';
import type { FeatureTouch } from './reuse';

// One test per vendor, since base subsets are keyed by the test's name.
const unknownFloorIntel: FeatureTest = (f, kb) => !kb.kernelFloor(f, 'intel');
const unknownFloorAmd: FeatureTest = (f, kb) => !kb.kernelFloor(f, 'amd');
const unknownFloorNeutral: FeatureTest = (f, kb) => !kb.kernelFloor(f, null);

/** MT303 lists bits without a known floor for some vendor, and bits with state MSRs. */
export const unknownFactsTouch: FeatureTouch = (f, ctx) => hasStateMsr(f, ctx.kb) || unknownFloorIntel(f, ctx.kb) || unknownFloorAmd(f, ctx.kb) || unknownFloorNeutral(f, ctx.kb);

export const checkUnknownFacts: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  // Host-kernel facts matter only where the host kernel's KVM builds the CPUID.
  const kernelFacts = ctx.machine.accel.value === 'kvm' && !ctx.machine.followsHost.value;
  const bits = new Set<string>();
  const msrs = new Map<string, MsrRecord>();
  const accel = ctx.machine.accel.value;
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
    if (kernelFacts) {
      const vendor = hostVendor(cpuid.model);
      const test = vendor === 'intel' ? unknownFloorIntel : vendor === 'amd' ? unknownFloorAmd : unknownFloorNeutral;
      for (const bit of enabledWhere(cpuid, kb, test)) {
        if (firstLook(test, bit) && !releaseRejects(ctx, bit) && !ctx.provides(bit.feature.name)) bits.add(bit.feature.name);
      }
    }
    for (const bit of enabledWhere(cpuid, kb, hasStateMsr)) {
      if (!firstLook(hasStateMsr, bit)) continue;
      for (const msr of kb.msrsOfFeature(bit.feature.name)) {
        // Only an MSR without a known first migrating release can be unknown (most have one).
        if (msr.role !== 'state' || migratedSinceUnder(msr, accel) || msrs.has(msr.name)) continue;
        if (!releaseRejects(ctx, bit) && migrationOf(ctx.machine, ctx.qemu, msr, kb).migrated === undefined) msrs.set(msr.name, msr);
      }
    }
  }
  if (bits.size === 0 && msrs.size === 0) return;
  const parts: string[] = [];
  if (bits.size) parts.push(`from which Linux release KVM exposes ${plural(bits.size, 'enabled bit')} (${joinNames([...bits], 8)})`);
  if (msrs.size) parts.push(`from which QEMU release ${ctx.machine.accel.value === 'kvm' ? 'under KVM ' : ''}migrates ${plural(msrs.size, 'state MSR')} they use (${joinNames([...msrs.values()].map(msrWithIndex), 6)})`);
  report({
    code: 'MT303',
    message: `the knowledge base does not know ${parts.join(', nor ')}, so MT200 and MT300 cannot vouch for them in ${ctx.name}`,
    span: ctx.nameSpan,
  });
};

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
