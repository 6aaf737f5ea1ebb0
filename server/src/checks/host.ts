/**
 * Host dependence: MT300 (an enabled bit that some host kernel in range lacks: too
 * old for the vendor's floor, off the backport's stable line, or after KVM withdrew
 * it) and MT302 (bits that reach the guest only through QEMU's KVM defaults, not
 * through the machine's whitelist).
 */
import { compareVersions } from '../common/version';
import { featureWithLocation, joinNames } from '../kb/describe';
import { hostVendor } from '../kb/knowledge-base';
import type { Finding, FixIntent } from '../common/diagnostic';
import type { MachineCheck, MachineContext } from './context';
import { hasKernelRange, kernelSuspects, kvmDefaultBits } from './base-subsets';
import type { FeatureTouch } from './reuse';
import { describeFloor, kernelsHave, raiseTo, type KernelRange, type KernelVerdict } from './kernel-facts';
import { releaseRejects } from './release-names';
import type { FeatureRecord, HostVendor } from '../kb/types';
import type { CpuidView, EffectiveBit } from '../model/cpuid';
import { mapped } from '../common/arrays';

const VENDOR_NAME: Record<HostVendor, string> = { intel: 'Intel', amd: 'AMD' };

const HOST_VENDORS: Array<HostVendor | null> = ['intel', 'amd', null];

/** MT300 looks only at bits that some kernel of the machine's range lacks on some host. */
export const hostKernelTouch: FeatureTouch = (f, ctx) => {
  const range = ctx.kernelRange;
  return !!range && hasKernelRange(f, ctx.kb) && HOST_VENDORS.some((v) => kernelsHave(f, range, v, false, ctx.kb).has === false);
};

/** MT302 lists the release's KVM default bits that no edit decides. */
export const kvmDefaultsTouch: FeatureTouch = (f, ctx) => ctx.kb.releaseFor(ctx.qemu)?.kvmDefaults.some((n) => ctx.kb.feature(n)?.name === f.name) ?? false;

export const checkHostKernel: MachineCheck = (ctx, report) => {
  // TCG does not ask the host kernel for CPUID; a follows-host machine promises no fixed ABI.
  if (ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value) return;
  const range = ctx.kernelRange;
  if (!range) return;
  const reported = new ReportedPlaces();
  // A whitelisted bit is one object for all the machine's models, and what the range
  // says of it depends on the host vendor only: it is judged once per vendor.
  const judged = new Map<HostVendor | null, Set<EffectiveBit>>();
  // One finding per cause: the bits a model (or the KVM defaults) brings in at one place, together.
  const together = ctx.perCause ? new Map<string, Suspect[]>() : undefined;
  for (const cpuid of ctx.views) {
    if (cpuid.model?.followsHost) continue; // MT301 covers host-following models
    const vendor = hostVendor(cpuid.model);
    let seen = judged.get(vendor);
    if (!seen) judged.set(vendor, (seen = new Set()));
    for (const bit of kernelSuspects(cpuid, ctx.kb, range, vendor)) {
      if (bit.source === 'whitelist') {
        if (seen.has(bit)) continue;
        seen.add(bit);
      }
      const f = bit.feature;
      // One finding per bit and place: the same model bit comes once per model, and is judged only the first time.
      const at = ctx.spanFor(bit.origin).start;
      if (reported.has(f.name, at)) continue;
      // Whether the range has a bit depends on the feature and the host vendor only (kept across machines).
      const verdict = kernelsHave(f, range, vendor, ctx.provides(f.name), ctx.kb);
      if (verdict.has !== false) continue;
      if (releaseRejects(ctx, bit)) continue; // MT104: the bit never reaches the guest
      // A KVM default that no host in range has any more (kvm-mmu after 2.6.34) is dropped
      // by QEMU alike on every host: the guest ABI does not depend on the host.
      if (bit.source === 'kvm-default' && verdict.why === 'withdrawn' && f.kvmUntil && compareVersions(range.min, f.kvmUntil) > 0) continue;
      reported.add(f.name, at);
      const suspect: Suspect = { bit, view: cpuid, verdict, vendor };
      if (!together || bit.source === 'whitelist') {
        report(bitFinding(ctx, range, suspect));
        continue;
      }
      const key = bit.source === 'kvm-default' ? `${at}|kvm` : `${at}|${cpuid.modelName}`;
      const group = together.get(key);
      if (group) group.push(suspect);
      else together.set(key, [suspect]);
    }
  }
  if (together) for (const group of together.values()) report(group.length === 1 ? bitFinding(ctx, range, group[0]) : groupFinding(ctx, range, group));
};

/** A bit that some kernel of the range lacks, with what the range says of it. */
interface Suspect {
  bit: EffectiveBit;
  view: CpuidView;
  verdict: Lacking;
  vendor: HostVendor | null;
}

type Lacking = Extract<KernelVerdict, { has: false }>;

/** MT300 for one bit. */
function bitFinding(ctx: MachineContext, range: KernelRange, { bit, view, verdict, vendor }: Suspect): Finding {
  const f = bit.feature;
  const where = ctx.place(bit.origin, `${f.name} comes from here`, `${f.name}|${verdict.why}`, ctx.causeOf(bit));
  const fixes: FixIntent[] = [
    { kind: 'mask', title: `Mask ${f.name}`, machine: ctx.name, features: [f.name], preferred: true },
    { kind: 'add-provides', title: `Declare that the host kernels of ${ctx.name} provide ${f.name} (a backport)`, machine: ctx.name, features: [f.name] },
  ];
  let message: string;
  if (verdict.why === 'too-old') {
    const on = vendorClause(f, vendor, view.modelName);
    message = verdict.floor
      ? `${ctx.bitSource(bit, view.modelName)}; KVM exposes it${on} from ${describeFloor(verdict.floor, verdict.stable)}; ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it: on such hosts the guest loses the bit`
      : `${ctx.bitSource(bit, view.modelName)}; KVM lacks it up to Linux ${verdict.absentIn} at least (the first release that exposes it is not known); ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it: on such hosts the guest loses the bit`;
    const to = raiseTo(f, range, vendor, ctx.kb);
    if (to && (!range.max || compareOk(to, range.max))) fixes.push({ kind: 'set-kernel', title: `Raise host-kernel to ${to}`, machine: ctx.name, min: to });
  } else {
    message = `${ctx.bitSource(bit, view.modelName)}; KVM stopped exposing it after Linux ${f.kvmUntil}; ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it`;
  }
  return { code: 'MT300', message, ...where, fixes };
}

/**
 * MT300 for the bits one model (or the KVM defaults) brings in at one place: one
 * finding listing each bit with its numbers, with fixes for all of them and for each.
 */
function groupFinding(ctx: MachineContext, range: KernelRange, group: Suspect[]): Finding {
  const { bit, view } = group[0];
  const names = mapped(group, (s) => s.bit.feature.name);
  const fromKvm = bit.source === 'kvm-default';
  // The subject names every bit and why, so that only the same group of a base folds it in (fold.ts).
  const subject = `${fromKvm ? 'kvm' : view.modelName}|${mapped(group, (s) => `${s.bit.feature.name}:${s.verdict.why}`).join(',')}`;
  const where = ctx.place(bit.origin, fromKvm ? `QEMU ${ctx.qemu}'s KVM defaults come from here` : `${view.modelName} comes from here`, subject, ctx.causeOf(bit));
  const witness = group[0].verdict.witness;
  const oneWitness = group.every((s) => s.verdict.witness === witness);
  const items = mapped(group, (s) => `${featureWithLocation(s.bit.feature)} ${lackingClause(s)}${oneWitness ? '' : `, Linux ${s.verdict.witness} lacks it`}`);
  const message = `${ctx.bitSource(bit, view.modelName, `${group.length} bits`)} that some host kernel ${ctx.name} allows (${ctx.kernelsStated}) lacks, as KVM exposes them: ${items.join('; ')}${oneWitness ? `; Linux ${witness} lacks them` : ''}: on such hosts the guest loses them`;
  const fixes: FixIntent[] = [
    { kind: 'mask', title: `Mask all ${group.length} bits`, machine: ctx.name, features: names, preferred: true },
    { kind: 'add-provides', title: `Declare that the host kernels of ${ctx.name} provide all ${group.length} bits (backports)`, machine: ctx.name, features: names },
  ];
  // One raised floor that covers every bit, when each has one and it stays in range.
  let to: string | undefined;
  for (const s of group) {
    const bitTo = s.verdict.why === 'too-old' ? raiseTo(s.bit.feature, range, s.vendor, ctx.kb) : undefined;
    if (!bitTo) {
      to = undefined;
      break;
    }
    if (!to || compareVersions(bitTo, to) > 0) to = bitTo;
  }
  if (to && (!range.max || compareOk(to, range.max))) fixes.push({ kind: 'set-kernel', title: `Raise host-kernel to ${to}`, machine: ctx.name, min: to });
  for (const name of names) fixes.push({ kind: 'mask', title: `Mask ${name}`, machine: ctx.name, features: [name] });
  return { code: 'MT300', message, ...where, fixes };
}

/** Where a bit's floor depends on the host vendor: " on Intel hosts", or both vendors for a neutral model. */
function vendorClause(f: FeatureRecord, vendor: HostVendor | null, modelName: string): string {
  if (vendor && f.kvmSinceByVendor && vendor in f.kvmSinceByVendor) return ` on ${VENDOR_NAME[vendor]} hosts`;
  if (!vendor && f.kvmSinceByVendor) return ` on both Intel and AMD hosts (${modelName} may run on either)`;
  return '';
}

/** When KVM exposes a bit, in a list: "from Linux 4.2", "only up to Linux 2.6.34". */
function lackingClause({ bit, view, verdict, vendor }: Suspect): string {
  if (verdict.why === 'withdrawn') return `only up to Linux ${bit.feature.kvmUntil}`;
  if (!verdict.floor) return `from a release after Linux ${verdict.absentIn} (the first is not known)`;
  return `from ${describeFloor(verdict.floor, verdict.stable)}${vendorClause(bit.feature, vendor, view.modelName)}`;
}

/** The features MT300 reported, each with the places (span starts) it was reported at: no key string per bit and model. */
class ReportedPlaces {
  private readonly places = new Map<string, number[]>();

  has(feature: string, at: number): boolean {
    return this.places.get(feature)?.includes(at) ?? false;
  }

  add(feature: string, at: number): void {
    const list = this.places.get(feature);
    if (list) list.push(at);
    else this.places.set(feature, [at]);
  }
}

/** A raised floor must not pass the range's newest kernel (that would empty the range). */
function compareOk(to: string, max: string): boolean {
  return compareVersions(to, max) <= 0;
}

export const checkKvmDefaults: MachineCheck = (ctx, report) => {
  if (ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value) return;
  const bits = new Map<string, { origin: typeof ctx.machine.accel.origin }>();
  for (const cpuid of ctx.views) {
    for (const bit of kvmDefaultBits(cpuid)) if (!bits.has(bit.feature.name)) bits.set(bit.feature.name, { origin: bit.origin });
  }
  if (bits.size === 0) return;
  const names = [...bits.keys()];
  const first = bits.values().next().value!;
  const where = ctx.place(first.origin, `QEMU ${ctx.qemu} is chosen here`, names.join(' '));
  const fixes: FixIntent[] = [
    { kind: 'whitelist', title: `Whitelist all ${names.length} KVM default bit${names.length > 1 ? 's' : ''}`, machine: ctx.name, features: names, preferred: true },
    ...mapped<string, FixIntent>(names, (n) => ({ kind: 'whitelist', title: `Whitelist ${n}`, machine: ctx.name, features: [n] })),
  ];
  report({
    code: 'MT302',
    message: `${names.length} bit${names.length > 1 ? 's' : ''} reach${names.length > 1 ? '' : 'es'} the guest of ${ctx.name} only through QEMU ${ctx.qemu}'s KVM defaults, not its own whitelist: ${joinNames(mapped(names, (n) => featureWithLocation(ctx.kb.feature(n)!)), 8)}`,
    ...where,
    fixes,
  });
};
