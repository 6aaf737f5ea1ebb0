/** Short human strings for KB facts, shared by messages, hover and explain. */
import type { FeatureRecord, MsrRecord } from './types';

/** "CPUID 0x40000001 EAX[6]", "CPUID 0x7.0 EBX[5]", "MSR 0x10a bit 3". */
export function featureLocation(f: FeatureRecord): string {
  if (f.leaf === null) return `MSR ${f.msrFeatureIndex ?? '?'} bit ${f.bit}`;
  const leaf = f.subleaf === null ? f.leaf : `${f.leaf}.${f.subleaf}`;
  return `CPUID ${leaf} ${f.register ?? '?'}[${f.bit}]`;
}

/** A register as the JSON shapes of §6 write it: lower case, like hex values ("eax"). */
export function registerJson(register: string | null): string | null {
  return register === null ? null : register.toLowerCase();
}

/** Made once per record: the KB does not change, and messages name the same bits on every machine checked. */
const withLocation = new WeakMap<FeatureRecord, string>();

/** "kvm-pv-eoi (CPUID 0x40000001 EAX[6])". */
export function featureWithLocation(f: FeatureRecord): string {
  let text = withLocation.get(f);
  if (text === undefined) withLocation.set(f, (text = `${f.name} (${featureLocation(f)})`));
  return text;
}

/** "MSR_KVM_PV_EOI_EN (0x4b564d04)". */
export function msrWithIndex(m: MsrRecord): string {
  return `${m.name} (${m.index})`;
}

export function joinNames(names: string[], max = 6): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
