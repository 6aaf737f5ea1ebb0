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
import { modelsToCheck } from '../model/cpuid';
import type { MachineContext } from './context';

/** Whether a change in how `f` is decided (whitelisted, masked, by which edit, or not at all) can change what a check reports for the machine. */
export type FeatureTouch = (f: FeatureRecord, ctx: MachineContext) => boolean;

/** One machine's last check: what the bit checks read, and what each check found. */
export interface LastCheck {
  settings: unknown[];
  /** What the edits decided; each decision's origin is one object per edit node. */
  decisions: EditSummary;
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

/**
 * The features decided otherwise than at the last check: by another edit, newly, or no
 * longer (global edits), and those of `cpuid for` edits that came or went.
 */
export function changedFeatures(last: LastCheck, ctx: MachineContext): Map<string, FeatureRecord> {
  const summary = editSummary(ctx.machine, ctx.kb);
  const before = last.decisions;
  const out = new Map<string, FeatureRecord>();
  for (const [name, d] of summary.global) if (before.global.get(name)?.edit.origin !== d.edit.origin) out.set(name, d.feature);
  if (before.global.size !== summary.global.size || out.size) for (const [name, d] of before.global) if (!summary.global.has(name)) out.set(name, d.feature);
  const scoped = summary.scoped;
  const sameScoped = scoped.length === before.scoped.length && scoped.every((d, i) => before.scoped[i].edit.origin === d.edit.origin);
  if (!sameScoped) {
    const was = new Set(before.scoped.map((d) => d.edit.origin));
    const now = new Set(scoped.map((d) => d.edit.origin));
    for (const d of scoped) if (!was.has(d.edit.origin)) out.set(d.feature.name, d.feature);
    for (const d of before.scoped) if (!now.has(d.edit.origin)) out.set(d.feature.name, d.feature);
    // The same edits in another order: each may now win or lose against the others.
    if (was.size === now.size && [...now].every((o) => was.has(o))) for (const d of scoped) out.set(d.feature.name, d.feature);
  }
  return out;
}
