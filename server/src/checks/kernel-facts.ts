/**
 * Which host kernels have a bit (spec §3): a kernel has it from the bit's mainline
 * floor for the host vendor, or on a stable line from the point release that got the
 * backport, or when the machine says its fleet's kernels carry it (`host-kernel
 * provides`); it lacks it on a line after KVM withdrew it. A machine's host kernels
 * are a range, and a bit is safe only if every kernel in the range has it.
 */
import { compareVersions, parseVersion } from '../common/version';
import { innerMap } from '../common/maps';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord, HostVendor } from '../kb/types';

/** Host kernels from `min` up to `max` (inclusive), or without end. */
export interface KernelRange {
  min: string;
  max?: string;
}

export type KernelVerdict =
  /** Every kernel in the range has the bit. */
  | { has: true }
  /** Some kernel lacks it: `witness` is the first one found. */
  | { has: false; why: 'too-old' | 'withdrawn'; witness: string; floor?: string; stable: string[]; absentIn?: string }
  /** The KB does not know the floor: nothing can be said about the range. */
  | { has: undefined };

/**
 * The stable line a kernel is on: "4.19" for 4.19.43 (and for 4.19 itself),
 * "2.6.32" for 2.6.32.5 (2.6 kernels counted their releases in the third part).
 */
export function kernelLine(version: string): string {
  const parts = parseVersion(version) ?? [];
  const n = parts[0] === 2 && parts[1] === 6 ? 3 : 2;
  const line = parts.slice(0, n);
  while (line.length < n) line.push(0);
  return line.join('.');
}

/**
 * The last minor of each major series, from Linux's own numbering (2.6.39 was
 * followed by 3.0, 3.19 by 4.0, 4.20 by 5.0, 5.19 by 6.0). Used only when the KB
 * has no list of mainline releases (kernels.json).
 */
const LAST_MINOR: Record<number, number> = { 3: 19, 4: 20, 5: 19 };

/** The mainline release after a line: 4.20 after 4.19, 5.0 after 4.20, 3.0 after 2.6.39. */
export function nextLine(line: string, kb: KnowledgeBase): string {
  const known = kb.mainlineKernels;
  if (known.length && compareVersions(line, known[known.length - 1]) < 0) {
    for (const v of known) if (compareVersions(kernelLine(v), line) > 0) return kernelLine(v);
  }
  const p = parseVersion(line) ?? [0, 0];
  if (p[0] === 2 && p[1] === 6) return (p[2] ?? 0) < 39 ? `2.6.${(p[2] ?? 0) + 1}` : '3.0';
  const last = LAST_MINOR[p[0]];
  return last !== undefined && p[1] >= last ? `${p[0] + 1}.0` : `${p[0]}.${p[1] + 1}`;
}

/** Whether a stable backport covers `kernel`: a point release on its line at or before it. */
function stableCovers(kernel: string, stable: readonly string[]): boolean {
  const line = kernelLine(kernel);
  return stable.some((s) => kernelLine(s) === line && compareVersions(kernel, s) >= 0);
}

function max(a: string, b: string): string {
  return compareVersions(a, b) >= 0 ? a : b;
}

/** Lines walked at most when looking for a kernel below the floor that no backport covers. */
const MAX_LINES = 256;

/**
 * Verdicts by knowledge base, then feature, oldest kernel, newest kernel and vendor. A
 * verdict is a function of these alone, and every machine of a chain asks it for the
 * same bits and range. Keyed by the objects and strings as they come (no key is built:
 * this runs for every enabled bit of every machine checked); bounded, since ranges come
 * from user text. The verdicts are shared: nobody may change one.
 */
type VerdictsByRange = Map<string, Map<string, Map<string, KernelVerdict>>>;
const verdicts = new WeakMap<KnowledgeBase, Map<FeatureRecord, VerdictsByRange>>();
let verdictCount = 0;
const MAX_VERDICTS = 50_000;
const HAS: KernelVerdict = { has: true };

/** Does every kernel of `range` have `f`, on hosts of `vendor` (null: either vendor)? */
export function kernelsHave(f: FeatureRecord, range: KernelRange, vendor: HostVendor | null, provided: boolean, kb: KnowledgeBase): KernelVerdict {
  if (provided) return HAS;
  let byFeature = verdicts.get(kb);
  if (!byFeature || verdictCount >= MAX_VERDICTS) {
    verdicts.set(kb, (byFeature = new Map()));
    verdictCount = 0;
  }
  const byVendor = innerMap(innerMap(innerMap(byFeature, f), range.min), range.max ?? '');
  const v = vendor ?? '';
  let verdict = byVendor.get(v);
  if (!verdict) {
    byVendor.set(v, (verdict = decideKernels(f, range, vendor, kb)));
    verdictCount++;
  }
  return verdict;
}

function decideKernels(f: FeatureRecord, range: KernelRange, vendor: HostVendor | null, kb: KnowledgeBase): KernelVerdict {
  const stable = f.kvmStable ?? [];
  const floor = kb.kernelFloor(f, vendor);
  // After KVM withdrew the bit: the first line after kvmUntil, if the range reaches it.
  if (f.kvmUntil) {
    const after = nextLine(kernelLine(f.kvmUntil), kb);
    if (!range.max || compareVersions(kernelLine(range.max), kernelLine(f.kvmUntil)) > 0) {
      return { has: false, why: 'withdrawn', witness: max(range.min, after), floor: floor ?? undefined, stable };
    }
  }
  if (!floor) {
    // The floor is unknown, but a mainline release that lacks the bit may be known: a range
    // starting at or below it (on mainline, not a stable point release) certainly lacks it.
    const absent = f.kvmAbsentIn;
    if (absent && kernelLine(range.min) === range.min && compareVersions(range.min, absent) <= 0 && !stableCovers(range.min, stable)) {
      return { has: false, why: 'too-old', witness: range.min, stable, absentIn: absent };
    }
    return { has: undefined }; // MT303 lists it
  }
  // Walk up from the oldest kernel: a kernel below the floor needs a backport on its line.
  let kernel = range.min;
  for (let i = 0; i < MAX_LINES; i++) {
    if (range.max && compareVersions(kernel, range.max) > 0) return HAS;
    if (compareVersions(kernel, floor) >= 0) return HAS;
    if (!stableCovers(kernel, stable)) return { has: false, why: 'too-old', witness: kernel, floor, stable };
    kernel = nextLine(kernelLine(kernel), kb);
  }
  return HAS;
}

/**
 * The oldest kernel to raise `host-kernel` to so that the range has the bit: the
 * backport's point release when the whole range stays on its line, else the floor.
 */
export function raiseTo(f: FeatureRecord, range: KernelRange, vendor: HostVendor | null, kb: KnowledgeBase): string | undefined {
  const floor = kb.kernelFloor(f, vendor);
  if (range.max && kernelLine(range.max) === kernelLine(range.min)) {
    const s = (f.kvmStable ?? []).find((x) => kernelLine(x) === kernelLine(range.min));
    if (s && compareVersions(s, range.max) <= 0) return s;
  }
  return floor ?? undefined;
}

/** "Linux 5.2, or 4.19.43 / 4.14.119 on those lines": where KVM exposes the bit. */
export function describeFloor(floor: string | undefined, stable: readonly string[]): string {
  const lines = stable.length ? `, or ${stable.join(' / ')} on ${stable.length === 1 ? 'that line' : 'those lines'}` : '';
  return `Linux ${floor ?? '?'}${lines}`;
}
