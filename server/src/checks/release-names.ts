/**
 * Names as the machine's QEMU release had them (spec §3): a feature or model name,
 * or one of its aliases, exists from the release that added that spelling until the
 * one that removed it. Shared by MT104 (features), MT114 (models) and the checks
 * that must not stack on a bit MT104 already rejects.
 */
import { compareVersions } from '../common/version';
import type { FeatureRecord, ModelRecord } from '../kb/types';
import type { EffectiveBit } from '../model/cpuid';
import type { MachineContext } from './context';

export interface NameDates {
  since: string | null;
  until: string | null;
}

export type NameInRelease = { known: true } | { known: false; why: 'not-yet'; since: string } | { known: false; why: 'removed'; until: string };

/** The dates of one spelling: its own alias dates where the KB has them, else the record's. */
export function spellingDates(record: FeatureRecord | ModelRecord, spelling: string): NameDates {
  const own = spelling !== record.name ? record.aliasDates?.[spelling] : undefined;
  return { since: own?.since ?? record.qemuSince ?? null, until: own?.until ?? record.qemuUntil ?? null };
}

/** Whether QEMU `qemu` accepts `spelling`; unknown dates count as accepted (unknown stays silent). */
export function nameInRelease(dates: NameDates, qemu: string): NameInRelease {
  if (dates.since && compareVersions(qemu, dates.since) < 0) return { known: false, why: 'not-yet', since: dates.since };
  if (dates.until && compareVersions(qemu, dates.until) >= 0) return { known: false, why: 'removed', until: dates.until };
  return { known: true };
}

/** True for a whitelisted bit whose spelling the machine's release rejects (MT104): it never reaches the guest. */
export function releaseRejects(ctx: MachineContext, bit: EffectiveBit): boolean {
  if (!bit.edit) return false;
  const word = bit.edit.edit.feature.text;
  return !nameInRelease(spellingDates(bit.feature, word), ctx.qemu).known && !setByRelease(ctx, bit.feature, word);
}

/**
 * A bit the release sets itself as a KVM default exists in its guests even where it
 * had no property name yet (kvmclock-stable-bit before 2.1): its canonical name is no MT104.
 */
export function setByRelease(ctx: MachineContext, feature: FeatureRecord, word: string): boolean {
  return word === feature.name && (ctx.kb.releaseFor(ctx.qemu)?.kvmDefaults.includes(feature.name) ?? false);
}

/**
 * A model spelling's dates. The KB dates versioned names and, where it can, aliases
 * (Haswell-noTSX appeared in 2.3, long before Haswell-v2 in 4.1); an undated alias
 * is judged only by the model's removal, never by the version's later arrival.
 */
export function modelSpellingDates(model: ModelRecord, spelling: string): NameDates {
  const dates = spellingDates(model, spelling);
  const dated = spelling === model.name || (model.version === 1 && spelling === model.family) || !!model.aliasDates?.[spelling];
  return dated ? dates : { since: null, until: dates.until };
}
