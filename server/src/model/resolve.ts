/**
 * Inheritance: a machine's resolved settings, each remembering the statement that
 * set it (so diagnostics can point at it, and at the base it was inherited from).
 */
import type { Span } from '../common/text';
import { copyOf } from '../common/maps';
import type { CompatStatement, CpuidStatement, Edit, MachineDecl, Name, Statement } from '../syntax/ast';
import type { ParsedDocument } from './document';

/**
 * Where a setting comes from: a statement in some machine of some document. `span`
 * is the syntax node itself, which an incremental parse moves with its machine, so a
 * resolution stays right while its machines only move.
 */
export interface Origin {
  uri: string;
  machine: string;
  span: Span;
}

export interface Setting<T> {
  value: T;
  /** Undefined when the value is the language's default. */
  origin?: Origin;
}

export interface MachineRef {
  /** The current version of the document (the workspace updates it on indexed refs). */
  doc: ParsedDocument;
  decl: MachineDecl;
  name: string;
}

export interface EditRef {
  edit: Edit;
  statement: CpuidStatement;
  /** Model names of a `cpuid for` statement; empty for edits on every model. */
  models: Name[];
  origin: Origin;
}

export interface MigrateRef {
  name: Name;
  origin: Origin;
}

/** One feature named in `host-kernel provides`. */
export interface ProvidesRef {
  name: Name;
  origin: Origin;
}

export interface CompatRef {
  statement: CompatStatement;
  origin: Origin;
}

export interface ResolvedMachine {
  ref: MachineRef;
  /** The machine itself first, then its bases, nearest first (stops at a cycle or an unknown base). */
  chain: readonly MachineRef[];
  /** Set when the chain loops back; the resolution then uses the chain up to the loop. */
  cycle?: MachineRef[];
  /** Base name that could not be found, when the chain stops at one. */
  missingBase?: { name: Name; in: MachineRef };
  qemu?: Setting<string>;
  hostKernelMin?: Setting<string>;
  hostKernelMax?: Setting<string>;
  /** Features named by `host-kernel provides` along the chain, base first. */
  provides: readonly ProvidesRef[];
  /** The fixed guest TSC frequency (`tsc-frequency`), when set. */
  tscFrequency?: Setting<string>;
  accel: Setting<'kvm' | 'tcg'>;
  cpu?: Setting<string>;
  followsHost: Setting<boolean>;
  /** All cpuid edits, base first, each machine's in text order. */
  edits: readonly EditRef[];
  migrate: readonly MigrateRef[];
  /** Compat properties by "driver.property"; the child's setting wins. */
  compat: ReadonlyMap<string, CompatRef>;
  /** The base's resolution this one extends, when resolved step by step. */
  base?: ResolvedMachine;
  /** The outcome of the `cpuid` edits, computed on first use (model/edit-summary.ts). */
  editSummary?: unknown;
}

export type MachineLookup = (name: string) => MachineRef | undefined;

/**
 * Origins by syntax node: a statement's origin is the same object in every machine
 * that inherits it, so resolving a long `extends` chain allocates each origin once.
 */
const origins = new WeakMap<Span, Origin>();

function originOf(ref: MachineRef, span: Span): Origin {
  let origin = origins.get(span);
  if (!origin || origin.uri !== ref.doc.uri || origin.machine !== ref.name) {
    origin = { uri: ref.doc.uri, machine: ref.name, span };
    origins.set(span, origin);
  }
  return origin;
}

/** Walks `extends` links from `ref`, stopping at a cycle or an unknown base; never loops. */
export function inheritanceChain(ref: MachineRef, lookup: MachineLookup): Pick<ResolvedMachine, 'chain' | 'cycle' | 'missingBase'> {
  const chain: MachineRef[] = [ref];
  const seen = new Set<MachineDecl>([ref.decl]);
  let current = ref;
  while (current.decl.base) {
    const base = lookup(current.decl.base.text);
    if (!base) return { chain, missingBase: { name: current.decl.base, in: current } };
    if (seen.has(base.decl)) {
      const loopStart = chain.findIndex((r) => r.decl === base.decl);
      return { chain, cycle: chain.slice(loopStart) };
    }
    seen.add(base.decl);
    chain.push(base);
    current = base;
  }
  return { chain };
}

export function resolveMachine(ref: MachineRef, lookup: MachineLookup): ResolvedMachine {
  const { chain, cycle, missingBase } = inheritanceChain(ref, lookup);
  // Apply from the farthest base to the machine itself, so nearer statements win.
  let resolved: ResolvedMachine | undefined;
  for (let i = chain.length - 1; i >= 0; i--) resolved = extendResolution(chain[i], resolved);
  return { ...resolved!, chain, cycle, missingBase };
}

/**
 * A machine's resolution from its base's: the base's settings, then the machine's
 * own statements. Resolving a chain this way costs each machine only its own
 * statements (the workspace caches every step), never a walk of the whole chain.
 */
export function extendResolution(ref: MachineRef, base: ResolvedMachine | undefined): ResolvedMachine {
  const decl = ref.decl;
  // The machine's own statements in one pass: the first of each setting (a repeated one is
  // MT003; the first counts) and its list entries.
  let qemu: Extract<Statement, { kind: 'qemu' }> | undefined;
  let kernel: Extract<Statement, { kind: 'host-kernel' }> | undefined;
  let accel: Extract<Statement, { kind: 'accel' }> | undefined;
  let cpu: Extract<Statement, { kind: 'cpu' }> | undefined;
  let tsc: Extract<Statement, { kind: 'tsc-frequency' }> | undefined;
  let follows: Extract<Statement, { kind: 'follows-host' }> | undefined;
  const edits: EditRef[] = [];
  const migrate: MigrateRef[] = [];
  const provides: ProvidesRef[] = [];
  let compat: Map<string, CompatRef> | undefined;
  for (const s of decl.statements) {
    switch (s.kind) {
      case 'qemu':
        qemu ??= s;
        break;
      case 'host-kernel':
        kernel ??= s;
        break;
      case 'accel':
        accel ??= s;
        break;
      case 'cpu':
        cpu ??= s;
        break;
      case 'tsc-frequency':
        tsc ??= s;
        break;
      case 'follows-host':
        follows ??= s;
        break;
      case 'cpuid':
        for (const edit of s.edits) edits.push({ edit, statement: s, models: s.models, origin: originOf(ref, edit) });
        break;
      case 'migrate':
        for (const name of s.msrs) migrate.push({ name, origin: originOf(ref, name) });
        break;
      case 'host-kernel-provides':
        for (const name of s.features) provides.push({ name, origin: originOf(ref, name) });
        break;
      case 'compat':
        if (s.driver && s.property) (compat ??= copyOf(base?.compat)).set(`${s.driver.text}.${s.property.text}`, { statement: s, origin: originOf(ref, s) });
        break;
    }
  }
  // Every resolution has every field, in one order: the checks read them on every machine, and
  // objects of one shape keep those reads fast (a shape per set of stated lines would not).
  // The lists are the base's followed by the machine's own, in one allocation each; a list the
  // machine adds nothing to is the base's own (resolutions are never changed once made).
  const resolved: ResolvedMachine = base
    ? { ...base, ref, chain: [ref].concat(base.chain), base, edits: joined(base.edits, edits), migrate: joined(base.migrate, migrate), provides: joined(base.provides, provides), compat: compat ?? base.compat, editSummary: undefined }
    : {
        ref,
        chain: [ref],
        cycle: undefined,
        missingBase: undefined,
        qemu: undefined,
        hostKernelMin: undefined,
        hostKernelMax: undefined,
        provides,
        tscFrequency: undefined,
        accel: { value: 'kvm', origin: undefined },
        cpu: undefined,
        followsHost: { value: false, origin: undefined },
        edits,
        migrate,
        compat: compat ?? new Map(),
        base: undefined,
        editSummary: undefined,
      };
  if (qemu?.version) resolved.qemu = { value: qemu.version.text, origin: originOf(ref, qemu) };
  if (kernel?.min) {
    resolved.hostKernelMin = { value: kernel.min.text, origin: originOf(ref, kernel) };
    resolved.hostKernelMax = kernel.form === 'range' && kernel.max ? { value: kernel.max.text, origin: originOf(ref, kernel) } : undefined;
  }
  if (accel?.value && (accel.value.text === 'kvm' || accel.value.text === 'tcg')) {
    resolved.accel = { value: accel.value.text, origin: originOf(ref, accel) };
  }
  if (cpu?.model) resolved.cpu = { value: cpu.model.text, origin: originOf(ref, cpu) };
  if (tsc?.value) resolved.tscFrequency = { value: tsc.value.text, origin: originOf(ref, tsc) };
  if (follows) resolved.followsHost = { value: true, origin: originOf(ref, follows) };
  return resolved;
}

/** `base` then `own`, as one new array; `base` itself when there is nothing to add. */
function joined<T>(base: readonly T[], own: readonly T[]): readonly T[] {
  return own.length ? base.concat(own) : base;
}
