/**
 * Did-you-mean costs a pass over every known spelling (thousands of features,
 * every machine of the workspace) per unknown name, so a file of thousands of
 * misspelt names spent seconds to minutes on suggestions. Only the first
 * MAX_SUGGESTED_NAMES names of each kind in a file (text order) get them. The
 * choice depends on the syntax tree alone, so the output stays deterministic.
 */
import type { MachineDecl, SyntaxTree } from '../syntax/ast';

export type NameKind = 'feature' | 'model' | 'msr' | 'base';

export const MAX_SUGGESTED_NAMES = 500;

const allowed = new WeakMap<SyntaxTree, Map<NameKind, Set<number>>>();

/** Whether the name of `kind` starting at `offset` is among the first `limit` of its kind in the file. */
export function maySuggest(tree: SyntaxTree, kind: NameKind, offset: number, limit = MAX_SUGGESTED_NAMES): boolean {
  let kinds = allowed.get(tree);
  if (!kinds) allowed.set(tree, (kinds = new Map()));
  let set = kinds.get(kind);
  if (!set) kinds.set(kind, (set = new Set(firstNames(tree, kind))));
  if (!set.has(offset)) return false;
  return limit >= MAX_SUGGESTED_NAMES || rankOf(tree, kind, offset) < limit;
}

function rankOf(tree: SyntaxTree, kind: NameKind, offset: number): number {
  let rank = 0;
  for (const o of allowed.get(tree)!.get(kind)!) {
    if (o === offset) return rank;
    rank++;
  }
  return rank;
}

function firstNames(tree: SyntaxTree, kind: NameKind): number[] {
  const out: number[] = [];
  for (const m of tree.machines) {
    namesOf(m, kind, (at) => out.push(at));
    if (out.length >= MAX_SUGGESTED_NAMES) break;
  }
  return out.slice(0, MAX_SUGGESTED_NAMES);
}

/** The offsets of a machine's names of one kind, in text order. */
function namesOf(m: MachineDecl, kind: NameKind, see: (at: number) => void): void {
  if (kind === 'base' && m.base) see(m.base.start);
  for (const s of m.statements) {
    if (kind === 'feature' && s.kind === 'cpuid') for (const e of s.edits) see(e.feature.start);
    if (kind === 'model' && s.kind === 'cpu' && s.model) see(s.model.start);
    if (kind === 'model' && s.kind === 'cpuid') for (const n of s.models) see(n.start);
    if (kind === 'msr' && s.kind === 'migrate') for (const n of s.msrs) see(n.start);
  }
}

const KINDS: readonly NameKind[] = ['feature', 'model', 'msr', 'base'];

/**
 * How many names of each kind some machines have. Where an edit left these counts
 * alike, every name elsewhere in the file kept its rank, and with it its budget.
 */
export function nameCounts(machines: readonly MachineDecl[]): string {
  return KINDS.map((kind) => {
    let n = 0;
    for (const m of machines) namesOf(m, kind, () => n++);
    return n;
  }).join(',');
}
