/**
 * Whether a check run again found what it found last time (checks/reuse.ts): then the
 * last findings are handed back, and everything made from them (stored findings, the
 * machine's piece, its encoding, its family's folding) stands.
 *
 * "The same" must hold for every reader of a finding, now and after later edits, so
 * places compare as objects: a syntax node moves with its region (syntax/placed.ts),
 * and two nodes at the same offsets today may part after the next edit. A plain span
 * (offsets counted when the check ran) is never the same. Causes compare by their
 * origin object, which folding matches along the chain (checks/fold.ts).
 */
import type { Finding, FixIntent, RelatedInfo } from '../common/diagnostic';
import type { Span } from '../common/text';
import { Placed } from '../syntax/placed';

export function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameFinding(a[i], b[i])) return false;
  return true;
}

/** The fields a finding has; one this module does not know makes two findings differ (so a new field cannot be missed). */
const FIELDS = new Set(['code', 'message', 'span', 'related', 'cause', 'fixes', 'tags']);

function sameFinding(a: Finding, b: Finding): boolean {
  if (a === b) return true;
  for (const k in a) if (!FIELDS.has(k)) return false;
  for (const k in b) if (!FIELDS.has(k)) return false;
  if (a.code !== b.code || a.message !== b.message || !samePlace(a.span, b.span)) return false;
  if (a.cause !== b.cause && (!a.cause || !b.cause || a.cause.origin !== b.cause.origin || a.cause.subject !== b.cause.subject)) return false;
  return sameList(a.related, b.related, sameRelated) && sameList(a.fixes, b.fixes, sameFix) && sameList(a.tags, b.tags, (x, y) => x === y);
}

function samePlace(a: Span, b: Span): boolean {
  return a === b && a instanceof Placed;
}

function sameRelated(a: RelatedInfo, b: RelatedInfo): boolean {
  return a.uri === b.uri && a.message === b.message && samePlace(a.span, b.span);
}

function sameFix(a: FixIntent, b: FixIntent): boolean {
  if (a.kind !== b.kind || a.title !== b.title || a.preferred !== b.preferred) return false;
  // The other fields by name: a span as a place, a list of names item by item, the rest as values.
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) {
    const u = x[k];
    const v = y[k];
    if (u === v && typeof u !== 'object') continue;
    if (k === 'span') {
      if (!samePlace(u as Span, v as Span)) return false;
    } else if (Array.isArray(u) && Array.isArray(v)) {
      if (!sameList(u, v, (p, q) => p === q)) return false;
    } else return false;
  }
  return true;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}
