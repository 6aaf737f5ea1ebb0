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

/** Moves a node, and every placed node below it, to another anchor at the same start (a region re-parsed around it). */
export function reanchor(node: unknown, to: Anchor, from: Anchor): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) reanchor(n, to, from);
    return;
  }
  if (!(node instanceof Placed) || node.$r !== from) return;
  node.$r = to;
  for (const key of Object.keys(node)) if (key[0] !== '$') reanchor((node as unknown as Record<string, unknown>)[key], to, from);
}
