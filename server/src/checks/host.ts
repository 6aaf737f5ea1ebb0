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
import { featureRank, hasKernelRange, kernelSuspects, kvmDefaultBits, withoutEdit } from './base-subsets';
import { withSightings, type FeatureTouch } from './reuse';
import { describeFloor, kernelsHave, raiseTo, type KernelRange, type KernelVerdict } from './kernel-facts';
import { releaseRejects } from './release-names';
import type { FeatureRecord, HostVendor } from '../kb/types';
import type { CpuidView, EffectiveBit } from '../model/cpuid';
import type { Span } from '../common/text';
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

/**
 * Where a bit that some host kernel of the machine's range lacks is enabled: per
 * feature, each place it is reported at (its statement, or the machine's name) with the
 * first view it is lacking there, and what the range says of it. A machine checked again
 * because a base decided a few features otherwise (checks/reuse.ts) looks again only at
 * those. Never changed once made.
 */
export type KernelSightings = ReadonlyMap<FeatureRecord, readonly KernelSighting[]>;

interface KernelSighting {
  view: number;
  modelName: string;
  /** The bit's feature, source and origin (base-subsets.ts, `withoutEdit`). */
  bit: EffectiveBit;
  verdict: Lacking;
  vendor: HostVendor | null;
  /** Where it is reported: its statement in this machine, or the machine's name. */
  place: Span;
}

export const checkHostKernel: MachineCheck = (ctx, report) => reportHostKernel(ctx, judgeHostKernel(ctx), report);

/** The kernel range the check applies to, or none (TCG does not ask the host kernel for CPUID; a follows-host machine promises no fixed ABI). */
function rangeOf(ctx: MachineContext): KernelRange | undefined {
  return ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value ? undefined : ctx.kernelRange;
}

export function judgeHostKernel(ctx: MachineContext): KernelSightings {
  const out = new Map<FeatureRecord, KernelSighting[]>();
  const range = rangeOf(ctx);
  if (!range) return out;
  // A whitelisted bit is one object for all the machine's models, and what the range
  // says of it depends on the host vendor only: it is judged once per vendor.
  const judged = new Map<HostVendor | null, Set<EffectiveBit>>();
  ctx.views.forEach((cpuid, v) => {
    if (cpuid.model?.followsHost) return; // MT301 covers host-following models
    const vendor = hostVendor(cpuid.model);
    let seen = judged.get(vendor);
    if (!seen) judged.set(vendor, (seen = new Set()));
    for (const bit of kernelSuspects(cpuid, ctx.kb, range, vendor)) {
      if (bit.source === 'whitelist') {
        if (seen.has(bit)) continue;
        seen.add(bit);
      }
      const found = sighting(ctx, range, cpuid, v, vendor, bit, out.get(bit.feature));
      if (!found) continue;
      const list = out.get(bit.feature);
      if (list) list.push(found);
      else out.set(bit.feature, [found]);
    }
  });
  return out;
}

/** `bit` as a sighting in view `v`, unless it is reported at that place already or the range has it after all. */
function sighting(ctx: MachineContext, range: KernelRange, cpuid: CpuidView, v: number, vendor: HostVendor | null, bit: EffectiveBit, before: readonly KernelSighting[] | undefined): KernelSighting | undefined {
  const f = bit.feature;
  // One finding per bit and place: the same model bit comes once per model, and is judged only the first time.
  const place = ctx.spanFor(bit.origin);
  if (before?.some((s) => s.place === place)) return undefined;
  // Whether the range has a bit depends on the feature and the host vendor only (kept across machines).
  const verdict = kernelsHave(f, range, vendor, ctx.provides(f.name), ctx.kb);
  if (verdict.has !== false) return undefined;
  if (releaseRejects(ctx, bit)) return undefined; // MT104: the bit never reaches the guest
  // A KVM default that no host in range has any more (kvm-mmu after 2.6.34) is dropped
  // by QEMU alike on every host: the guest ABI does not depend on the host.
  if (bit.source === 'kvm-default' && verdict.why === 'withdrawn' && f.kvmUntil && compareVersions(range.min, f.kvmUntil) > 0) return undefined;
  return { view: v, modelName: cpuid.modelName, bit: withoutEdit(bit), verdict, vendor, place };
}

/** The sightings again after `changed` features are decided otherwise: only theirs are looked at anew. */
export function rejudgeHostKernel(ctx: MachineContext, last: KernelSightings, changed: Iterable<FeatureRecord>): KernelSightings {
  const range = rangeOf(ctx);
  if (!range) return last;
  let out: Map<FeatureRecord, readonly KernelSighting[]> | undefined;
  for (const f of changed) {
    const list: KernelSighting[] = [];
    if (hasKernelRange(f, ctx.kb)) {
      const judged = new Map<HostVendor | null, Set<EffectiveBit>>();
      ctx.views.forEach((cpuid, v) => {
        if (cpuid.model?.followsHost || !cpuid.isEnabled(f.name)) return;
        const vendor = hostVendor(cpuid.model);
        // What kernelSuspects lets through: the bit lacking in some kernel of the range, backports aside.
        if (kernelsHave(f, range, vendor, false, ctx.kb).has !== false) return;
        const w = cpuid.whitelisted(f.name);
        if (w) {
          let seen = judged.get(vendor);
          if (!seen) judged.set(vendor, (seen = new Set()));
          if (seen.has(w)) return;
          seen.add(w);
        }
        const found = sighting(ctx, range, cpuid, v, vendor, w ?? cpuid.materialize(cpuid.base.byName.get(f.name)!), list);
        if (found) list.push(found);
      });
    }
    out = withSightings(out, last, f, list, sameSightings);
  }
  return out ?? last;
}

function sameSightings(a: readonly KernelSighting[], b: readonly KernelSighting[]): boolean {
  return a.length === b.length && a.every((x, i) => x.view === b[i].view && x.place === b[i].place && x.bit.origin === b[i].bit.origin && x.bit.source === b[i].bit.source && x.verdict === b[i].verdict && x.vendor === b[i].vendor);
}

/** In the order of the views, bits in the knowledge base's order; with one finding per cause, a model's (or the KVM defaults') bits at one place together, at the end. */
export function reportHostKernel(ctx: MachineContext, sightings: KernelSightings, report: (f: Finding) => void): void {
  const range = rangeOf(ctx);
  if (!range || sightings.size === 0) return;
  const rank = featureRank(ctx.kb);
  const all: KernelSighting[] = [];
  for (const list of sightings.values()) all.push(...list);
  all.sort((a, b) => a.view - b.view || rank.get(a.bit.feature)! - rank.get(b.bit.feature)!);
  const together = ctx.perCause ? new Map<string, Suspect[]>() : undefined;
  for (const s of all) {
    const suspect: Suspect = { bit: s.bit, modelName: s.modelName, verdict: s.verdict, vendor: s.vendor };
    if (!together || s.bit.source === 'whitelist') {
      report(bitFinding(ctx, range, suspect));
      continue;
    }
    const at = s.place.start;
    const key = s.bit.source === 'kvm-default' ? `${at}|kvm` : `${at}|${s.modelName}`;
    const group = together.get(key);
    if (group) group.push(suspect);
    else together.set(key, [suspect]);
  }
  if (together) for (const group of together.values()) report(group.length === 1 ? bitFinding(ctx, range, group[0]) : groupFinding(ctx, range, group));
}

/** A bit that some kernel of the range lacks, with what the range says of it. */
interface Suspect {
  bit: EffectiveBit;
  modelName: string;
  verdict: Lacking;
  vendor: HostVendor | null;
}

type Lacking = Extract<KernelVerdict, { has: false }>;

/** MT300 for one bit. */
function bitFinding(ctx: MachineContext, range: KernelRange, { bit, modelName, verdict, vendor }: Suspect): Finding {
  const f = bit.feature;
  const where = ctx.place(bit.origin, `${f.name} comes from here`, `${f.name}|${verdict.why}`, ctx.causeOf(bit));
  const fixes: FixIntent[] = [
    { kind: 'mask', title: `Mask ${f.name}`, machine: ctx.name, features: [f.name], preferred: true },
    { kind: 'add-provides', title: `Declare that the host kernels of ${ctx.name} provide ${f.name} (a backport)`, machine: ctx.name, features: [f.name] },
  ];
  let message: string;
  if (verdict.why === 'too-old') {
    const on = vendorClause(f, vendor, modelName);
    message = verdict.floor
      ? `${ctx.bitSource(bit, modelName)}; KVM exposes it${on} from ${describeFloor(verdict.floor, verdict.stable)}; ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it: on such hosts the guest loses the bit`
      : `${ctx.bitSource(bit, modelName)}; KVM lacks it up to Linux ${verdict.absentIn} at least (the first release that exposes it is not known); ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it: on such hosts the guest loses the bit`;
    const to = raiseTo(f, range, vendor, ctx.kb);
    if (to && (!range.max || compareOk(to, range.max))) fixes.push({ kind: 'set-kernel', title: `Raise host-kernel to ${to}`, machine: ctx.name, min: to });
  } else {
    message = `${ctx.bitSource(bit, modelName)}; KVM stopped exposing it after Linux ${f.kvmUntil}; ${ctx.name} allows ${ctx.kernelsStated}, and Linux ${verdict.witness} lacks it`;
  }
  return { code: 'MT300', message, ...where, fixes };
}

/**
 * MT300 for the bits one model (or the KVM defaults) brings in at one place: one
 * finding listing each bit with its numbers, with fixes for all of them and for each.
 */
function groupFinding(ctx: MachineContext, range: KernelRange, group: Suspect[]): Finding {
  const { bit, modelName } = group[0];
  const names = mapped(group, (s) => s.bit.feature.name);
  const fromKvm = bit.source === 'kvm-default';
  // The subject names every bit and why, so that only the same group of a base folds it in (fold.ts).
  const subject = `${fromKvm ? 'kvm' : modelName}|${mapped(group, (s) => `${s.bit.feature.name}:${s.verdict.why}`).join(',')}`;
  const where = ctx.place(bit.origin, fromKvm ? `QEMU ${ctx.qemu}'s KVM defaults come from here` : `${modelName} comes from here`, subject, ctx.causeOf(bit));
  const witness = group[0].verdict.witness;
  const oneWitness = group.every((s) => s.verdict.witness === witness);
  const items = mapped(group, (s) => `${featureWithLocation(s.bit.feature)} ${lackingClause(s)}${oneWitness ? '' : `, Linux ${s.verdict.witness} lacks it`}`);
  const message = `${ctx.bitSource(bit, modelName, `${group.length} bits`)} that some host kernel ${ctx.name} allows (${ctx.kernelsStated}) lacks, as KVM exposes them: ${items.join('; ')}${oneWitness ? `; Linux ${witness} lacks them` : ''}: on such hosts the guest loses them`;
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
function lackingClause({ bit, modelName, verdict, vendor }: Suspect): string {
  if (verdict.why === 'withdrawn') return `only up to Linux ${bit.feature.kvmUntil}`;
  if (!verdict.floor) return `from a release after Linux ${verdict.absentIn} (the first is not known)`;
  return `from ${describeFloor(verdict.floor, verdict.stable)}${vendorClause(bit.feature, vendor, modelName)}`;
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
