/**
 * Node offsets that travel with their region. Every node parsed in a region (ast.ts
 * `Region`: machines, statements, names, blocks, comments, syntax diagnostics) keeps its
 * offsets from the region's start, and `start`/`end` read them against where the
 * region is now. Moving the regions after an edit (syntax/reparse.ts) is then one
 * addition per region, however many nodes it holds, and whatever was computed from its
 * nodes stays attached to objects whose offsets are right.
 *
 * Readers see plain `Span`s; only the parser makes placed nodes.
 */
import type { Span } from '../common/text';

/** What a node's offsets are counted from: its region. */
export interface Anchor {
  start: number;
}

export class Placed implements Span {
  constructor(
    /** The region the node lies in. */
    public $r: Anchor,
    /** Offsets from the region's start. */
    public $s: number,
    public $e: number,
  ) {}

  get start(): number {
    return this.$r.start + this.$s;
  }

  set start(offset: number) {
    this.$s = offset - this.$r.start;
  }

  get end(): number {
    return this.$r.start + this.$e;
  }

  set end(offset: number) {
    this.$e = offset - this.$r.start;
  }

  /** As JSON: the node's own fields with absolute offsets (the region would make a cycle). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { start: this.start, end: this.end };
    for (const key of Object.keys(this)) if (key[0] !== '$') out[key] = (this as unknown as Record<string, unknown>)[key];
    return out;
  }
}

/** A node of `region` at [start, end) with `fields` (copied in their order, so nodes of one kind share a shape). */
export function placed<T extends Span>(region: Anchor, start: number, end: number, fields: Omit<T, 'start' | 'end'>): T {
  const node = new Placed(region, start - region.start, end - region.start) as unknown as Record<string, unknown>;
  for (const key in fields) node[key] = (fields as Record<string, unknown>)[key];
  return node as unknown as T;
}

/**
 * Moves a node, and every placed node below it, to another anchor at the same start (a region
 * re-parsed around it), `shift` characters further on (a statement kept from after an edit in it).
 */
export function reanchor(node: unknown, to: Anchor, from: Anchor, shift = 0): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) reanchor(n, to, from, shift);
    return;
  }
  if (!(node instanceof Placed) || node.$r !== from) return;
  node.$r = to;
  node.$s += shift;
  node.$e += shift;
  for (const key of Object.keys(node)) if (key[0] !== '$') reanchor((node as unknown as Record<string, unknown>)[key], to, from, shift);
}

/** Whether two nodes hold the same, `b`'s offsets `shift` past `a`'s (both counted from regions that start at one offset). */
export function sameShifted(a: unknown, b: unknown, shift: number): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameShifted(a[i], b[i], shift)) return false;
    return true;
  }
  if (a instanceof Placed !== b instanceof Placed) return false;
  if (a instanceof Placed && (a.$s + shift !== (b as Placed).$s || a.$e + shift !== (b as Placed).$e)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (key[0] !== '$' && !sameShifted((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], shift)) return false;
  }
  return true;
}
