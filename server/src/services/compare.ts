/**
 * Guest ABI difference between two machine types: what a guest would see change
 * if it moved from A to B — CPUID bits, MSRs and their migration, QEMU release
 * and host-kernel range.
 */
import type { Explanation } from './explain';

export interface Comparison {
  a: string;
  b: string;
  scalars: Array<{ what: string; a: string; b: string }>;
  /** Bits B enables that A does not, and the other way round. */
  added: string[];
  removed: string[];
  msrsAdded: string[];
  msrsRemoved: string[];
  /** MSRs both use whose migration differs. */
  migrationChanged: Array<{ name: string; a: string; b: string }>;
}

export function compareExplanations(a: Explanation, b: Explanation): Comparison {
  const kernel = (e: Explanation) => `${e.hostKernel.min ? `>= ${e.hostKernel.min}` : '?'}${e.hostKernel.max ? ` .. ${e.hostKernel.max}` : ''}`;
  const scalars = [
    { what: 'QEMU', a: a.qemu, b: b.qemu },
    { what: 'host kernels', a: kernel(a), b: kernel(b) },
    { what: 'accel', a: a.accel, b: b.accel },
    { what: 'CPU model', a: a.cpu, b: b.cpu },
    { what: 'follows the host', a: String(a.followsHost), b: String(b.followsHost) },
  ].filter((s) => s.a !== s.b);
  const bitsA = new Set(a.features.map((f) => f.name));
  const bitsB = new Set(b.features.map((f) => f.name));
  const msrA = new Map(a.msrs.map((m) => [m.name, m]));
  const msrB = new Map(b.msrs.map((m) => [m.name, m]));
  const state = (m: Explanation['msrs'][number]) => (m.role !== 'state' ? 'nothing to migrate' : m.migrated === null ? 'unknown' : m.migrated ? 'migrated' : 'not migrated');
  const migrationChanged: Comparison['migrationChanged'] = [];
  for (const [name, m] of msrA) {
    const other = msrB.get(name);
    if (other && state(m) !== state(other)) migrationChanged.push({ name, a: state(m), b: state(other) });
  }
  return {
    a: a.machine,
    b: b.machine,
    scalars,
    added: [...bitsB].filter((n) => !bitsA.has(n)),
    removed: [...bitsA].filter((n) => !bitsB.has(n)),
    msrsAdded: [...msrB.keys()].filter((n) => !msrA.has(n)),
    msrsRemoved: [...msrA.keys()].filter((n) => !msrB.has(n)),
    migrationChanged,
  };
}

export function comparisonMarkdown(c: Comparison): string {
  const out = [`# ${c.a} → ${c.b}`, ''];
  const same = !c.scalars.length && !c.added.length && !c.removed.length && !c.msrsAdded.length && !c.msrsRemoved.length && !c.migrationChanged.length;
  if (same) return out.concat('The two machine types give the guest the same ABI.', '').join('\n');
  if (c.scalars.length) {
    out.push('| | ' + c.a + ' | ' + c.b + ' |', '|---|---|---|');
    for (const s of c.scalars) out.push(`| ${s.what} | ${s.a} | ${s.b} |`);
    out.push('');
  }
  const list = (title: string, names: string[]) => {
    if (names.length) out.push(`## ${title} (${names.length})`, '', names.map((n) => `\`${n}\``).join(', '), '');
  };
  list(`Bits only in ${c.b} (added)`, c.added);
  list(`Bits only in ${c.a} (removed)`, c.removed);
  list(`MSRs only in ${c.b}`, c.msrsAdded);
  list(`MSRs only in ${c.a}`, c.msrsRemoved);
  if (c.migrationChanged.length) {
    out.push('## Migration changes', '', `| MSR | ${c.a} | ${c.b} |`, '|---|---|---|');
    for (const m of c.migrationChanged) out.push(`| \`${m.name}\` | ${m.a} | ${m.b} |`);
    out.push('');
  }
  return out.join('\n');
}
