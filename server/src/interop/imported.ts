/**
 * What an outside configuration (a QEMU command line, a libvirt domain XML) says about a guest CPU,
 * read into one neutral shape, and that shape written back as a `.mtype` machine.
 * Each outside format has its own room (`qemu.ts`, `libvirt.ts`) with both directions; this file
 * is what they share.
 */

/** A guest CPU as an outside configuration states it. Names are kept as written; the checker judges them. */
export interface ImportedMachine {
  /** The `.mtype` machine name (from `--name`, else the QEMU machine type, else "imported"). */
  name: string;
  /** The QEMU machine type the configuration asks for (`pc-q35-7.2`), when it names one. */
  machineType: string | null;
  /** The QEMU release (`7.2`), from `--qemu`, else the machine type's version, else null. */
  qemu: string | null;
  accel: 'kvm' | 'tcg' | null;
  /** The CPU model as written (`Skylake-Server`, `host`), or null for QEMU's default. */
  model: string | null;
  /** Feature edits in input order; a later edit of the same name wins, as in QEMU. */
  edits: Array<{ name: string; on: boolean }>;
  /** Guest TSC frequency in Hz, when set. */
  tscFrequency: string | null;
  /** What the input said that a machine type cannot hold (kept as comments in the output). */
  notes: string[];
}

/** Input the importer cannot read: where (1-based line, column) and what was expected. */
export class ImportError extends Error {
  constructor(readonly line: number, readonly column: number, message: string) {
    super(message);
  }
}

export function emptyImport(name = 'imported'): ImportedMachine {
  return { name, machineType: null, qemu: null, accel: null, model: null, edits: [], tscFrequency: null, notes: [] };
}

/** The last edit of each name, in the order names first appeared. */
export function finalEdits(m: ImportedMachine): Array<{ name: string; on: boolean }> {
  const last = new Map<string, boolean>();
  for (const e of m.edits) last.set(e.name, e.on);
  return [...last].map(([name, on]) => ({ name, on }));
}

/** The machine as `.mtype` text. */
export function renderMtype(m: ImportedMachine): string {
  const lines: string[] = [];
  for (const note of m.notes) lines.push(`# ${note}`);
  lines.push(`machine ${m.name} {`);
  if (m.qemu) lines.push(`  qemu ${m.qemu}`);
  if (m.accel) lines.push(`  accel ${m.accel}`);
  if (m.model) lines.push(`  cpu ${m.model}`);
  if (m.tscFrequency) lines.push(`  tsc-frequency ${m.tscFrequency}`);
  const edits = finalEdits(m);
  if (edits.length > 0) {
    lines.push('  cpuid {');
    for (const e of edits) lines.push(`    ${e.on ? '+' : '-'}${e.name}`);
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
