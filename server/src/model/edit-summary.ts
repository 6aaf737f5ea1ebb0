/**
 * What a machine's `cpuid` edits decide, worked out once per machine (and from its
 * base's summary, so a family pays each machine's own edits only): the final global
 * whitelist and masks, and the `cpuid for` edits that per-model views apply on top.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord } from '../kb/types';
import type { EditRef, ResolvedMachine } from './resolve';
import { copyOf } from '../common/maps';

export interface DecidedEdit {
  edit: EditRef;
  feature: FeatureRecord;
  /** Position in `ResolvedMachine.edits`: a later edit beats an earlier one. */
  index: number;
}

export interface EditSummary {
  /** For each feature edited globally, the edit that decides it (the base's own map when the machine edits nothing globally). */
  global: ReadonlyMap<string, DecidedEdit>;
  /** `cpuid for` edits of the whole chain, in order. */
  scoped: DecidedEdit[];
  /** The base's summary this one extends, if any. */
  base?: EditSummary;
  /** The machine's own global edits (the base's summary has the rest). */
  ownGlobal: DecidedEdit[];
  /** Where the machine's own edits start in `scoped`. */
  ownScopedFrom: number;
  /** Per model name, the `cpuid for` edits that win for it (model/cpuid.ts, scopedDecisions). */
  byModel?: Map<string, ReadonlyMap<string, DecidedEdit>>;
}

export function editSummary(machine: ResolvedMachine, kb: KnowledgeBase): EditSummary {
  const cached = machine.editSummary as EditSummary | undefined;
  if (cached) return cached;
  // Start from the base's summary when this resolution extends it (its edits are a prefix of ours).
  const base = machine.base && machine.edits.length >= machine.base.edits.length ? editSummary(machine.base, kb) : undefined;
  const from = base ? machine.base!.edits.length : 0;
  const scoped = base ? base.scoped.slice() : [];
  const ownGlobal: DecidedEdit[] = [];
  const ownScopedFrom = scoped.length;
  for (let index = from; index < machine.edits.length; index++) {
    const edit = machine.edits[index];
    const feature = kb.feature(edit.edit.feature.text);
    if (!feature) continue;
    if (edit.models.length === 0) ownGlobal.push({ edit, feature, index });
    else scoped.push({ edit, feature, index });
  }
  // A machine that edits nothing globally shares its base's map: deep chains copy it only where it changes.
  let global: ReadonlyMap<string, DecidedEdit> = base?.global ?? new Map();
  if (ownGlobal.length) {
    const own = copyOf(base?.global);
    for (const d of ownGlobal) own.set(d.feature.name, d);
    global = own;
  }
  const summary: EditSummary = { global, scoped, base, ownGlobal, ownScopedFrom };
  machine.editSummary = summary;
  return summary;
}
