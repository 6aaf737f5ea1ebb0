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
  /** For each feature edited globally, the edit that decides it. */
  global: Map<string, DecidedEdit>;
  /** `cpuid for` edits of the whole chain, in order. */
  scoped: DecidedEdit[];
}

export function editSummary(machine: ResolvedMachine, kb: KnowledgeBase): EditSummary {
  const cached = machine.editSummary as EditSummary | undefined;
  if (cached) return cached;
  // Start from the base's summary when this resolution extends it (its edits are a prefix of ours).
  const base = machine.base && machine.edits.length >= machine.base.edits.length ? editSummary(machine.base, kb) : undefined;
  const from = base ? machine.base!.edits.length : 0;
  const summary: EditSummary = { global: copyOf(base?.global), scoped: base ? base.scoped.slice() : [] };
  for (let index = from; index < machine.edits.length; index++) {
    const edit = machine.edits[index];
    const feature = kb.feature(edit.edit.feature.text);
    if (!feature) continue;
    if (edit.models.length === 0) summary.global.set(feature.name, { edit, feature, index });
    else summary.scoped.push({ edit, feature, index });
  }
  machine.editSummary = summary;
  return summary;
}
