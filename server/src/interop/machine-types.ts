/**
 * QEMU PC machine types (`pc-1.3`, `pc-i440fx-2.8`, `pc-q35-7.2`), shared by both outside formats:
 * which of a machine's names is a machine type its release can start (from the KB's dates of each
 * type), and which release a versioned type names.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import { compareVersions } from '../common/version';

/** The release a versioned PC machine type names (`pc-q35-7.2` → 7.2, `pc-1.3` → 1.3); null for `pc`, `q35` and others. */
export function machineTypeRelease(type: string): string | null {
  const v = /^pc-(?:i440fx-|q35-)?(\d+\.\d+)(?:\.\d+)?$/.exec(type);
  return v ? v[1] : null;
}

/** The first of the machine's names that QEMU `qemu` defines as a machine type; `notes` says why a name that once was one is not. */
export function machineTypeOf(names: readonly string[], kb: KnowledgeBase, qemu: string, notes: string[]): string | null {
  for (const n of names) {
    const t = kb.machineType(n);
    if (!t) continue;
    if (compareVersions(qemu, t.since) < 0) notes.push(`QEMU ${qemu} has no machine type ${n} yet (it appeared in ${t.since})`);
    else if (t.until && compareVersions(qemu, t.until) >= 0) notes.push(`QEMU ${qemu} no longer has machine type ${n} (removed in ${t.until})`);
    else return n;
  }
  return null;
}
