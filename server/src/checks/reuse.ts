/**
 * What a machine's checks found last time, kept for its next check.
 *
 * An edit in a base gives every machine below it a new resolution, so each of them is
 * checked again. Mostly the edit changed little for such a machine: its settings are
 * the same objects (statements and their words are reused by the incremental parse,
 * and each origin is one object per syntax node), and only a feature or two is now
 * decided by another edit, or by none. Each check says what it reads beyond the
 * settings and its machine's own statements:
 *
 * - `touches`: whether a change in how a feature is decided can change what it reports
 *   here (the bit checks: MT103, MT200/MT201, MT300, MT302, MT303, and the `migrate`
 *   list's MT202); a check of the machine's own statements is touched by none;
 * - `editTouches`: for a check that reads the inherited edits as written (MT104 on
 *   inherited names), whether an edit that came or went can change what it reports.
 *
 * A check none of the changes touches keeps its findings; one that asked for
 * did-you-mean budget (checks/budget.ts) keeps them only while the answers hold. A check
 * without either (it reads other machines or the workspace) always runs again. A check
 * that ran again and found the same as last time (checks/same-findings.ts: the same
 * texts at the same syntax nodes, for the same causes) keeps its last findings too. When
 * every check kept its findings (or found none, again), the machine's findings are the
 * same object as before, and the analysis keeps its stored entry as it is.
 *
 * Sound only if each check reads no more than it says. The incremental property tests
 * compare every step with a fresh analysis.
 */
import type { Finding, RelatedInfo } from '../common/diagnostic';
import type { Span } from '../common/text';
import type { MachineDecl } from '../syntax/ast';
import { Placed } from '../syntax/placed';
import type { EditRef } from '../model/resolve';
import { editSummary, type DecidedEdit, type EditSummary } from '../model/edit-summary';
import type { FeatureRecord } from '../kb/types';
import type { BudgetQuery, MachineCheck, MachineContext } from './context';
import { maySuggest } from './budget';
import { sameFindings } from './same-findings';
import type { MachineChecker } from './document-diagnostics';
import { concatenated } from '../common/arrays';

/** Whether a change in how `f` is decided (whitelisted, masked, by which edit, or not at all) can change what a check reports for the machine. */
export type FeatureTouch = (f: FeatureRecord, ctx: MachineContext) => boolean;

/** Whether an edit of the machine's chain (as written) that came or went can change what a check reports here. */
export type EditTouch = (e: EditRef, ctx: MachineContext) => boolean;

/**
 * A check made of verdicts that depend only on the machine's settings and on how its
 * features are decided (checks/dependencies.ts): when it is touched, it judges again
 * only what the changed features can change, from the verdicts it kept.
 */
export interface Rejudging<State> {
  judge(ctx: MachineContext): State;
  /** Returns `last` itself when no verdict changed (its findings then stand as they were). */
  again(ctx: MachineContext, last: State, changed: Iterable<FeatureRecord>): State;
  report(ctx: MachineContext, state: State, report: (f: Finding) => void): void;
}

/**
 * Sightings per feature after one feature was judged again: `out` (a copy of `last`, made
 * at the first change) with the feature's new list, or `out` as it was when the list is the
 * same. Left untouched, the caller hands back `last` itself, so its findings stand.
 */
export function withSightings<K, V>(
  out: Map<K, readonly V[]> | undefined,
  last: ReadonlyMap<K, readonly V[]>,
  feature: K,
  list: readonly V[],
  same: (a: readonly V[], b: readonly V[]) => boolean,
): Map<K, readonly V[]> | undefined {
  const before = last.get(feature);
  if (list.length === 0 && !before) return out;
  if (before && same(before, list)) return out;
  out ??= new Map(last);
  if (list.length) out.set(feature, list);
  else out.delete(feature);
  return out;
}

/** A check with what may keep its findings: neither for a check that reads other machines or the workspace. */
export interface CheckSpec {
  check: MachineCheck;
  touches?: FeatureTouch;
  editTouches?: EditTouch;
  /** How the check judges again from its last verdicts; `check` is the same check from scratch. */
  rejudging?: Rejudging<unknown>;
}

/** How often a checker ran a check that could have been kept, and kept it (for tests and benchmarks). */
export interface ReuseCounts {
  kept: number;
  run: number;
  /** Checks run again (touched, or reading other machines) that found the same as last time: their last findings stand. */
  same?: number;
  /** Checks run again from their last verdicts (`rejudging`). */
  rejudged?: number;
}

/** One machine's last check: what the checks read, and what each found. */
export interface LastCheck {
  settings: unknown[];
  /** What the edits decided; each decision's origin is one object per edit node. */
  decisions: EditSummary;
  /** The chain's edits as written, base first. */
  edits: readonly EditRef[];
  /** Per check: what it found, the budget answers it asked for, and whether it may be kept (`keepable`). */
  findings: Finding[][];
  budget: BudgetQuery[][];
  keepable: boolean[];
  /** Per check that judges again (`rejudging`): its verdicts; undefined for the others, or when it failed. */
  states: unknown[];
  /** All the findings, in check order: handed back as the same object when nothing changed. */
  all: Finding[];
}

/**
 * What every reused check may read besides the decisions on bits and the edits, as a flat
 * list compared item by item: the knowledge base and options, the machine's own
 * declaration (its statements), each setting's value and origin, and the models it is
 * checked for (their name nodes).
 */
export function settingsOf(ctx: MachineContext): unknown[] {
  const m = ctx.machine;
  const out: unknown[] = [ctx.kb, ctx.kernelFloor, ctx.perCause, ctx.doc.uri, ctx.ref.decl, ctx.name];
  for (const s of [m.qemu, m.hostKernelMin, m.hostKernelMax, m.tscFrequency, m.accel, m.cpu, m.followsHost]) out.push(s?.value, s?.origin);
  out.push(m.provides.length, m.migrate.length, m.compat.size);
  for (const p of m.provides) out.push(p.origin);
  for (const x of m.migrate) out.push(x.origin);
  for (const [key, c] of m.compat) out.push(key, c.origin);
  // The models it is checked for follow from the `cpu` setting (above) and the model names of its
  // `cpuid for` edits: those of each statement once (its edits share one list), as nodes.
  let models: unknown;
  for (const e of m.edits) if (e.models.length && e.models !== models) out.push(...(models = e.models));
  return out;
}

export function sameSettings(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The features decided otherwise than at the last check. Only a feature named by an edit
 * that came or went can be: a feature is decided by the last edit naming it (of its
 * scope), and edits that stayed keep their order. (An edit that stayed but moved into or
 * out of a `cpuid for` list changes the models the machine is checked for: its
 * settings.) Of those, the ones a later edit still decides as before are left out: in
 * a deep chain, most machines below an edit override the bit it names.
 */
export function changedFeatures(changed: readonly EditRef[], last: LastCheck, ctx: MachineContext): Map<string, FeatureRecord> {
  const out = new Map<string, FeatureRecord>();
  if (changed.length === 0) return out;
  const now = editSummary(ctx.machine, ctx.kb);
  const before = last.decisions;
  for (const e of changed) {
    const f = ctx.kb.feature(e.edit.feature.text);
    if (!f || out.has(f.name)) continue;
    if (before.global.get(f.name)?.edit.origin !== now.global.get(f.name)?.edit.origin || !sameScoped(before.scoped, now.scoped, f.name)) out.set(f.name, f);
  }
  return out;
}

/** Whether the `cpuid for` edits naming a feature are the same edits in both lists. */
function sameScoped(a: readonly DecidedEdit[], b: readonly DecidedEdit[], name: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && a[i].feature.name !== name) i++;
    while (j < b.length && b[j].feature.name !== name) j++;
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    if (a[i++].edit.origin !== b[j++].edit.origin) return false;
  }
}

/** The edits, by origin, that are in one list and not the other (an edit edited is both). */
export function changedEdits(last: readonly EditRef[], now: readonly EditRef[]): EditRef[] {
  const out: EditRef[] = [];
  if (last.length === now.length) {
    for (let i = 0; i < now.length; i++) if (last[i].origin !== now[i].origin) out.push(last[i], now[i]);
    return out;
  }
  const was = new Set(last.map((e) => e.origin));
  const is = new Set(now.map((e) => e.origin));
  for (const e of last) if (!is.has(e.origin)) out.push(e);
  for (const e of now) if (!was.has(e.origin)) out.push(e);
  return out;
}

/**
 * Whether findings may be handed back next time: each place is the machine's own (its
 * offsets, kept relative to it, hold while it is not parsed again) or a syntax node,
 * which moves with its machine. A place elsewhere is counted from the document's start
 * and would be stale after any edit above it.
 */
export function keepable(findings: readonly Finding[], decl: MachineDecl): boolean {
  const held = (span: Span) => isNode(span) || (decl.start <= span.start && span.end <= decl.end);
  return findings.every((f) => held(f.span) && (!f.related || f.related.every((r: RelatedInfo) => held(r.span))) && (!f.fixes || f.fixes.every((x) => !('span' in x) || held(x.span))));
}

function isNode(span: Span): boolean {
  return span instanceof Placed;
}

/**
 * The checks of `specs`, run by `run`, keeping each machine's last findings per check.
 * When every check kept its findings or found none again, the machine's findings are
 * the same array as last time.
 */
export function keepingChecker(specs: readonly CheckSpec[], run: (check: MachineCheck, ctx: MachineContext) => Finding[], counts: ReuseCounts = { kept: 0, run: 0 }): MachineChecker {
  const lastChecks = new WeakMap<MachineDecl, LastCheck>();
  return (ctx) => {
    const decl = ctx.ref.decl;
    const settings = settingsOf(ctx);
    const last = lastChecks.get(decl);
    const same = !!last && sameSettings(last.settings, settings);
    const edits = same ? changedEdits(last!.edits, ctx.machine.edits) : undefined;
    const features = edits ? changedFeatures(edits, last!, ctx) : undefined;
    const found: Finding[][] = [];
    const budget: BudgetQuery[][] = [];
    const keep: boolean[] = [];
    const states: unknown[] = [];
    let unchanged = same;
    for (let i = 0; i < specs.length; i++) {
      const { check, touches, editTouches, rejudging } = specs[i];
      if (same && touches && last!.keepable[i] && !touchedBy(features!, edits!, touches, editTouches, ctx) && answersHold(last!.budget[i], ctx)) {
        counts.kept++;
        found.push(last!.findings[i]);
        budget.push(last!.budget[i]);
        keep.push(true);
        states.push(last!.states[i]);
        ctx.budgetQueries.push(...last!.budget[i]);
        continue;
      }
      if (touches) counts.run++;
      const asked = ctx.budgetQueries.length;
      const outside = ctx.askedOutside;
      let state: unknown;
      const lastState = same ? last!.states[i] : undefined;
      // From the last verdicts when the settings are the same (only decisions changed), else from scratch; named as the check, for MT001.
      const judged: MachineCheck | undefined =
        rejudging &&
        Object.defineProperty(
          (c: MachineContext, report: (f: Finding) => void) => {
            if (lastState !== undefined) counts.rejudged = (counts.rejudged ?? 0) + 1;
            state = lastState !== undefined ? rejudging.again(c, lastState, features!.values()) : rejudging.judge(c);
            // The same verdicts, handed back, give the same findings: the last ones, as objects.
            if (state === lastState && last!.keepable[i]) for (const f of last!.findings[i]) report(f);
            else rejudging.report(c, state, report);
          },
          'name',
          { value: check.name },
        );
      let findings = run(judged ?? check, ctx);
      states.push(state);
      // The same findings again are as good as kept: the last ones stand (checks/same-findings.ts).
      if (same && findings.length && sameFindings(findings, last!.findings[i])) {
        findings = last!.findings[i];
        counts.same = (counts.same ?? 0) + 1;
      }
      if (unchanged && findings !== last!.findings[i] && !(findings.length === 0 && last!.findings[i].length === 0)) unchanged = false;
      found.push(findings);
      budget.push(ctx.budgetQueries.slice(asked));
      keep.push(ctx.askedOutside === outside && keepable(findings, decl));
    }
    const all = unchanged ? last!.all : concatenated(found);
    // With no edit changed, the decisions are the last ones (the same origins): no summary to make.
    const decisions = edits && edits.length === 0 ? last!.decisions : editSummary(ctx.machine, ctx.kb);
    lastChecks.set(decl, { settings, decisions, edits: ctx.machine.edits, findings: found, budget, keepable: keep, states, all });
    return all;
  };
}

function touchedBy(features: ReadonlyMap<string, FeatureRecord>, edits: readonly EditRef[], touches: FeatureTouch, editTouches: EditTouch | undefined, ctx: MachineContext): boolean {
  for (const f of features.values()) if (touches(f, ctx)) return true;
  if (editTouches) for (const e of edits) if (editTouches(e, ctx)) return true;
  return false;
}

/** Whether the did-you-mean budget answers a check asked for are still the same (checks/budget.ts). */
function answersHold(queries: readonly BudgetQuery[], ctx: MachineContext): boolean {
  return queries.every((q) => maySuggest(ctx.doc.tree, q.kind, ctx.ref.decl.start + q.at, q.limit) === q.answer);
}
