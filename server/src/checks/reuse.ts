/**
 * What a machine's bit checks found last time, kept for its next check.
 *
 * An edit in a base gives every machine below it a new resolution, so each of them is
 * checked again. Mostly the edit changed little for such a machine: its settings are
 * the same objects (statements are reused by the incremental parse, and each origin is
 * one object per syntax node), and only a feature or two is now decided by another
 * edit, or by none. The checks that see the machine's CPUID only through its settings
 * and the decisions on its bits (MT103, MT200/MT201, MT300, MT302, MT303) each say of
 * a feature whether its decision can change what they report here (`touches`); a
 * check none of the changed features touches keeps its findings.
 *
 * Sound only if a check reads nothing else of the machine: its own statements, its
 * edits as written (not as decided), other machines and the workspace are out. The
 * incremental property tests compare every step with a fresh analysis.
 */
import type { Finding } from '../common/diagnostic';
import type { FeatureRecord } from '../kb/types';
import type { EditSummary } from '../model/edit-summary';
import { editSummary } from '../model/edit-summary';
import type { Origin } from '../model/resolve';
import { modelsToCheck } from '../model/cpuid';
import type { MachineContext } from './context';

/** Whether a change in how `f` is decided (whitelisted, masked, by which edit, or not at all) can change what a check reports for the machine. */
export type FeatureTouch = (f: FeatureRecord, ctx: MachineContext) => boolean;

/** One machine's last check: what the bit checks read, and what each check found. */
export interface LastCheck {
  settings: unknown[];
  /** The edit deciding each globally edited feature, by its origin (one object per edit node). */
  decided: Map<string, Origin>;
  /** The `cpuid for` edits, as feature name and origin, in order. */
  scoped: Array<[string, Origin]>;
  findings: Finding[][];
}

/**
 * Everything but the decisions that the bit checks read, as a flat list compared item
 * by item: the knowledge base and options, the machine's own declaration, each setting's
 * value and origin, and the models it is checked for (their name nodes).
 */
export function settingsOf(ctx: MachineContext): unknown[] {
  const m = ctx.machine;
  const out: unknown[] = [ctx.kb, ctx.kernelFloor, ctx.perCause, ctx.doc.uri, ctx.ref.decl, ctx.name];
  for (const s of [m.qemu, m.hostKernelMin, m.hostKernelMax, m.tscFrequency, m.accel, m.cpu, m.followsHost]) out.push(s?.value, s?.origin);
  out.push(m.provides.length, m.migrate.length, m.compat.size);
  for (const p of m.provides) out.push(p.origin);
  for (const x of m.migrate) out.push(x.origin);
  for (const [key, c] of m.compat) out.push(key, c.origin);
  for (const model of modelsToCheck(m)) out.push(model.name, model.origin?.span);
  return out;
}

export function sameSettings(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decisionsOf(summary: EditSummary): Pick<LastCheck, 'decided' | 'scoped'> {
  const decided = new Map<string, Origin>();
  for (const [name, d] of summary.global) decided.set(name, d.edit.origin);
  return { decided, scoped: summary.scoped.map((d) => [d.feature.name, d.edit.origin]) };
}

/**
 * The features decided otherwise than at the last check: by another edit, newly, or no
 * longer (global edits), and those of `cpuid for` edits that came or went.
 */
export function changedFeatures(last: LastCheck, ctx: MachineContext): Map<string, FeatureRecord> {
  const summary = editSummary(ctx.machine, ctx.kb);
  const out = new Map<string, FeatureRecord>();
  const add = (name: string) => {
    const f = ctx.kb.feature(name);
    if (f) out.set(f.name, f);
  };
  for (const [name, d] of summary.global) if (last.decided.get(name) !== d.edit.origin) out.set(name, d.feature);
  if (last.decided.size !== summary.global.size || out.size) for (const name of last.decided.keys()) if (!summary.global.has(name)) add(name);
  const scoped = summary.scoped;
  const sameScoped = scoped.length === last.scoped.length && scoped.every((d, i) => last.scoped[i][1] === d.edit.origin);
  if (!sameScoped) {
    const before = new Set(last.scoped.map(([, origin]) => origin));
    const now = new Set(scoped.map((d) => d.edit.origin));
    for (const d of scoped) if (!before.has(d.edit.origin)) out.set(d.feature.name, d.feature);
    for (const [name, origin] of last.scoped) if (!now.has(origin)) add(name);
    // An edit that stayed but moved relative to the others may now win or lose against them.
    if (before.size === now.size && [...now].every((o) => before.has(o))) for (const d of scoped) out.set(d.feature.name, d.feature);
  }
  return out;
}
