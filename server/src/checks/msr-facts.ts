/** Whether a machine migrates an MSR, and why: shared by the migration checks, explain and hover. */
import { compareVersions } from '../common/version';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { MsrRecord } from '../kb/types';
import type { MigrateRef, ResolvedMachine } from '../model/resolve';

export type Migration =
  | { migrated: true; how: 'release' | 'declared' | 'shared'; via?: MsrRecord; declared?: MigrateRef }
  | { migrated: false; since: string }
  /** The KB does not know when (or whether) QEMU migrates it: say nothing. */
  | { migrated: undefined };

/** Each machine's `migrate` entries by record, first entry first (built once per resolution). */
const declaredByMachine = new WeakMap<ResolvedMachine, Map<MsrRecord, MigrateRef>>();

export function declaredMigration(machine: ResolvedMachine, msr: MsrRecord, kb: KnowledgeBase): MigrateRef | undefined {
  let declared = declaredByMachine.get(machine);
  if (!declared) {
    declared = new Map();
    for (const m of machine.migrate) {
      const record = kb.msr(m.name.text);
      if (record && !declared.has(record)) declared.set(record, m);
    }
    declaredByMachine.set(machine, declared);
  }
  return declared.get(msr);
}

/**
 * The first release that migrates an MSR under the machine's accel (spec §3): under KVM
 * QEMU must also read and write it through KVM (`migratedSince`); under TCG the
 * migration stream alone suffices (`vmstateSince`, else `migratedSince`).
 */
export function migratedSinceUnder(msr: MsrRecord, accel: 'kvm' | 'tcg'): string | null {
  return accel === 'tcg' ? (msr.vmstateSince ?? msr.migratedSince) : msr.migratedSince;
}

export function migrationOf(machine: ResolvedMachine, qemu: string, msr: MsrRecord, kb: KnowledgeBase, depth = 0): Migration {
  const declared = declaredMigration(machine, msr, kb);
  if (declared) return { migrated: true, how: 'declared', declared };
  const since = migratedSinceUnder(msr, machine.accel.value);
  if (since && compareVersions(qemu, since) >= 0) return { migrated: true, how: 'release' };
  if (msr.stateSharedWith && depth < 4) {
    const other = kb.msr(msr.stateSharedWith);
    if (other) {
      const via = migrationOf(machine, qemu, other, kb, depth + 1);
      if (via.migrated) return { migrated: true, how: 'shared', via: other };
    }
  }
  if (since) return { migrated: false, since };
  return { migrated: undefined };
}
