/**
 * What a machine's `cpuid` edits decide, worked out once per machine (and from its
 * base's summary, so a family pays each machine's own edits only): the final global
 * whitelist and masks, and the `cpuid for` edits that per-model views apply on top.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord } from '../kb/types';
import type { EditRef, ResolvedMachine } from './resolve';

export interface DecidedEdit {
  edit: EditRef;
  feature: FeatureRecord;
  /** Position in `ResolvedMachine.edits`: a later edit beats an earlier one. */
  index: number;
}

/** Layers looked through before a machine's decisions are made into one map of their own. */
const MAX_LAYERS = 8;

/**
 * For each feature edited globally, the edit that decides it: the machine's own global
 * edits over its base's decisions. Looked up through the layers (at most MAX_LAYERS);
 * made into one map when walked whole (the checks that list a machine's whitelist) or
 * when the layers get deeper than that. A re-checked machine below an edit in a long
 * chain mostly asks about a few features: it no longer copies its base's decisions.
 */
export class Decisions implements ReadonlyMap<string, DecidedEdit> {
  private flat?: Map<string, DecidedEdit>;
  private readonly layers: number;

  constructor(
    private readonly base: Decisions | undefined,
    private readonly own: ReadonlyMap<string, DecidedEdit>,
  ) {
    this.layers = base && !base.flat ? base.layers + 1 : 1;
    if (this.layers > MAX_LAYERS) this.all();
  }

  get(name: string): DecidedEdit | undefined {
    if (this.flat) return this.flat.get(name);
    return this.own.get(name) ?? this.base?.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.all().size;
  }

  keys(): IterableIterator<string> {
    return this.all().keys();
  }

  values(): IterableIterator<DecidedEdit> {
    return this.all().values();
  }

  entries(): IterableIterator<[string, DecidedEdit]> {
    return this.all().entries();
  }

  forEach(fn: (value: DecidedEdit, key: string, map: ReadonlyMap<string, DecidedEdit>) => void): void {
    this.all().forEach((v, k) => fn(v, k, this));
  }

  [Symbol.iterator](): IterableIterator<[string, DecidedEdit]> {
    return this.entries();
  }

  /**
   * Every decision in one map, in the order a copy of the base's with ours set over it has
   * them. Only this layer gets the map: the layers above stay as they are (flattening them
   * too would copy as often as before).
   */
  private all(): Map<string, DecidedEdit> {
    if (!this.flat) {
      const layers: Decisions[] = [];
      let below: Decisions | undefined = this;
      for (; below && !below.flat; below = below.base) layers.push(below);
      const flat = new Map<string, DecidedEdit>();
      below?.flat!.forEach((v, k) => flat.set(k, v));
      for (let i = layers.length - 1; i >= 0; i--) layers[i].own.forEach((v, k) => flat.set(k, v));
      this.flat = flat;
    }
    return this.flat;
  }
}

const NO_DECISIONS = new Decisions(undefined, new Map());

export interface EditSummary {
  /** For each feature edited globally, the edit that decides it (the base's own when the machine edits nothing globally). */
  global: Decisions;
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
  // A machine that edits nothing globally shares its base's decisions.
  let global = base?.global ?? NO_DECISIONS;
  if (ownGlobal.length) {
    const own = new Map<string, DecidedEdit>();
    for (const d of ownGlobal) own.set(d.feature.name, d);
    global = new Decisions(base?.global, own);
  }
  const summary: EditSummary = { global, scoped, base, ownGlobal, ownScopedFrom };
  machine.editSummary = summary;
  return summary;
}
