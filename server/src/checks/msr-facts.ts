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

export function declaredMigration(machine: ResolvedMachine, msr: MsrRecord, kb: KnowledgeBase): MigrateRef | undefined {
  return machine.migrate.find((m) => kb.msr(m.name.text) === msr);
}

export function migrationOf(machine: ResolvedMachine, qemu: string, msr: MsrRecord, kb: KnowledgeBase, depth = 0): Migration {
  const declared = declaredMigration(machine, msr, kb);
  if (declared) return { migrated: true, how: 'declared', declared };
  if (msr.migratedSince && compareVersions(qemu, msr.migratedSince) >= 0) return { migrated: true, how: 'release' };
  if (msr.stateSharedWith && depth < 4) {
    const other = kb.msr(msr.stateSharedWith);
    if (other) {
      const via = migrationOf(machine, qemu, other, kb, depth + 1);
      if (via.migrated) return { migrated: true, how: 'shared', via: other };
    }
  }
  if (msr.migratedSince) return { migrated: false, since: msr.migratedSince };
  return { migrated: undefined };
}
