/**
 * Incremental parsing: a new version of a text is parsed by re-parsing only the
 * regions (ast.ts `Region`) its change touches. Regions before the change are kept
 * as they are; regions after it are kept too, moved by the change's length in place
 * (their nodes count their offsets from the region's start: syntax/placed.ts), so
 * what was computed from them stays attached to the same objects. The result equals `parse(text)`: regions parse independently,
 * and a region boundary the change may have undone is widened over.
 *
 * Moving in place means the previous tree's kept regions now describe the new
 * text: a tree is valid until its document's next version is parsed from it.
 */
import { countLineBreaks, type Span } from '../common/text';
import type { MachineDecl, Region, Statement, SyntaxTree, TreeChange } from './ast';
import { lex } from './lexer';
import { parse, parseRegions, treeOf } from './parser';
import { reanchor, sameShifted } from './placed';
import { mapped } from '../common/arrays';

export interface ReparseStats {
  /** Characters of the new text that were lexed and parsed again. */
  reparsed: number;
  /** Regions kept from the previous tree. */
  kept: number;
}

export function reparse(old: SyntaxTree, text: string, stats?: ReparseStats): SyntaxTree {
  const before = old.text;
  const regions = old.regions;
  if (regions.length === 0 || before.length === 0) {
    if (stats) Object.assign(stats, { reparsed: text.length, kept: 0 });
    return parse(text);
  }
  // The changed stretch: [at, oldEnd) of the old text became [at, oldEnd + delta) of the new.
  const shortest = Math.min(before.length, text.length);
  const at = commonPrefix(before, text, shortest);
  const same = commonSuffix(before, text, shortest - at);
  const oldEnd = before.length - same;
  const delta = text.length - before.length;

  // Regions the change touches: the one `at` lies in, to the last one starting before the
  // changed stretch ends. A region starting exactly where it ends is touched only if the
  // line break before it is gone (typing at the start of a `machine` line).
  let lo = lowerBound(regions, (r) => r.end > at);
  if (lo === regions.length) lo--;
  let hi = lowerBound(regions, (r) => r.start >= oldEnd) - 1;
  // (Text before the first machine starts a region only at the start of the file, so it is always touched.)
  if (hi + 1 < regions.length && regions[hi + 1].start === oldEnd && (!lineBreakBefore(text, oldEnd + delta) || (hi + 1 === 0 && !startsWithMachine(before, 0)))) hi++;
  let fresh: Region[];
  // Set when the region before the stretch took in blank lines (it is the same object, but longer).
  let lengthened = false;
  for (;;) {
    const from = regions[lo].start;
    const to = (hi >= 0 ? regions[hi].end : 0) + delta;
    fresh = parseRegions(text, from, to);
    // The change may have undone the `machine` line that started the first region: its
    // text then belongs to the region before, so take that one in as well.
    if (lo > 0 && fresh.length > 0 && !startsWithMachine(text, from)) {
      // Blank lines (Enter before a `machine` line) only lengthen the region before.
      if (blank(text, fresh[0])) {
        regions[lo - 1].end = fresh[0].end;
        fresh.shift();
        lengthened = true;
        break;
      }
      lo--;
      continue;
    }
    break;
  }
  // A re-parsed region whose machines came out exactly as before (an edit in the comments
  // or blank lines after a machine) keeps the machines' objects, and what hangs on them.
  for (const r of fresh) {
    const old = regions.slice(lo, hi + 1).find((o) => o.start === r.start);
    if (!old) continue;
    r.machines = mapped(r.machines, (m, i) => {
      const kept = old.machines[i];
      if (!kept) return m;
      if (!sameShifted(kept, m, 0)) {
        keepStatements(kept, m, r, old, at, oldEnd, delta);
        predecessors.set(m, kept);
        return m;
      }
      // Its nodes counted from the old region, which starts where the new one does.
      reanchor(kept, r, old);
      return kept;
    });
  }
  const after = regions.slice(hi + 1);
  if (delta !== 0) for (const r of after) moveRegion(r, delta);
  if (stats) {
    let reparsed = 0;
    for (const r of fresh) reparsed += r.end - r.start;
    Object.assign(stats, { reparsed, kept: lo + after.length });
  }
  // A \r just before the stretch may pair with what follows it differently now: line count unknown.
  const lineDelta = text.charCodeAt(at - 1) === 13 ? NaN : countLineBreaks(text, at, oldEnd + delta) - countLineBreaks(before, at, oldEnd);
  const change: TreeChange = { from: old.serial, at, end: oldEnd + delta, lineDelta };
  if (!lengthened) change.regions = { index: lo, removed: hi - lo + 1, added: fresh.length };
  return treeOf(text, regions.slice(0, lo).concat(fresh, after), old.changes.slice(1 - KEPT_CHANGES).concat([change]));
}

/**
 * The declaration a re-parsed one replaces (the same machine of the same region, edited),
 * for the workspace to tell whether what it resolved from the old one still holds. Taken
 * once: left here, each version's declarations would keep the previous version's alive,
 * and through what was computed for those, every version before.
 */
const predecessors = new WeakMap<MachineDecl, MachineDecl>();
export function takePredecessor(decl: MachineDecl): MachineDecl | undefined {
  const before = predecessors.get(decl);
  if (before) predecessors.delete(decl);
  return before;
}

/**
 * Puts back into a re-parsed machine the header words and statements that came out as
 * before (the edit lay in another statement, a comment, a description): the old objects,
 * moved. What was made from them stays the same object (an origin, model/resolve.ts), so
 * the machines extending this one keep their resolutions when the edit changed nothing
 * they inherit, and a place another machine quotes (its name, a statement) moves on.
 */
function keepStatements(kept: MachineDecl, fresh: MachineDecl, to: Region, from: Region, at: number, oldEnd: number, delta: number): void {
  const shiftOf = (s: Span) => (s.end <= at ? 0 : s.start >= oldEnd ? delta : undefined);
  for (const key of HEADER) {
    const old = kept[key];
    const shift = old && shiftOf(old);
    if (shift === undefined || !sameShifted(old, fresh[key], shift)) continue;
    reanchor(old, to, from, shift);
    fresh[key] = old!;
  }
  const statements = fresh.statements;
  const reused = putBack(kept.statements, statements, to, from, shiftOf);
  for (const s of statements) {
    if (reused.has(s) || s.start >= at) continue;
    // The statement the edit lay in: its words outside the changed stretch are the old ones too.
    const edited = kept.statements.find((o) => o.start === s.start && o.kind === s.kind);
    if (edited) for (const key of WORD_LISTS) keepWords(edited, s, key, to, from, shiftOf);
  }
}

/** The list fields of a statement whose items are words of their own (an edit, a name). */
const WORD_LISTS = ['edits', 'models', 'msrs', 'features'] as const;

/**
 * Puts back, in one list of a re-parsed statement, the items that lie wholly before or
 * after the changed stretch and came out the same: the edits of a `cpuid` block the
 * keystroke was not in keep their origins, so what machines below decide from them is
 * still the same (checks/reuse.ts).
 */
function keepWords(old: Statement, fresh: Statement, key: (typeof WORD_LISTS)[number], to: Region, from: Region, shiftOf: (s: Span) => number | undefined): void {
  const before = (old as unknown as Record<string, Span[] | undefined>)[key];
  const now = (fresh as unknown as Record<string, Span[] | undefined>)[key];
  if (Array.isArray(before) && Array.isArray(now) && before.length) putBack(before, now, to, from, shiftOf);
}

/**
 * Replaces, in `now`, each item that an item of `before` lying wholly outside the changed
 * stretch came out as (found by where it starts now), with that old item, moved. Returns
 * the old items put back.
 */
function putBack<T extends Span>(before: readonly T[], now: T[], to: Region, from: Region, shiftOf: (s: Span) => number | undefined): Set<T> {
  const byStart = new Map<number, { item: T; shift: number }>();
  for (const item of before) {
    const shift = shiftOf(item);
    if (shift !== undefined) byStart.set(item.start + shift, { item, shift });
  }
  const reused = new Set<T>();
  if (byStart.size === 0) return reused;
  for (let i = 0; i < now.length; i++) {
    const old = byStart.get(now[i].start);
    if (!old || !sameShifted(old.item, now[i], old.shift)) continue;
    reanchor(old.item, to, from, old.shift);
    now[i] = old.item;
    reused.add(old.item);
  }
  return reused;
}

const HEADER = ['keyword', 'name', 'extendsKeyword', 'base'] as const;

/** How many earlier edits a tree remembers (analyses that fall further behind redo their placement). */
const KEPT_CHANGES = 8;

function lineBreakBefore(text: string, offset: number): boolean {
  const c = text.charCodeAt(offset - 1);
  return offset === 0 || c === 10 || c === 13;
}

const BLOCK = 4096;
const SMALL_BLOCK = 64;

/**
 * Length of the common prefix. Compared a block at a time first (substring compares are
 * memcmp-fast), large blocks then small ones, so a 400 KB text takes ~100 slices, not thousands.
 */
function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  for (const block of [BLOCK, SMALL_BLOCK]) while (i + block <= max && a.slice(i, i + block) === b.slice(i, i + block)) i += block;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  for (const block of [BLOCK, SMALL_BLOCK]) while (n + block <= max && a.slice(a.length - n - block, a.length - n) === b.slice(b.length - n - block, b.length - n)) n += block;
  while (n < max && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

/** Index of the first region for which `pred` holds (pred is monotone over regions). */
function lowerBound(regions: Region[], pred: (r: Region) => boolean): number {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(regions[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Whether the line starting at `offset` starts with the word `machine` (as the lexer sees it). */
function startsWithMachine(text: string, offset: number): boolean {
  let end = offset;
  while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  const first = lex(text, offset, end).tokens[0];
  return first.kind === 'word' && first.text === 'machine';
}

/**
 * Whether a region holds only line breaks and spaces: appended to the region before,
 * it changes nothing in that region's parse (the parser skips line breaks and reports
 * nothing at the end of its input).
 */
function blank(text: string, region: Region): boolean {
  for (let i = region.start; i < region.end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9 && c !== 12 && c !== 11 && c !== 0xfeff) return false;
  }
  return true;
}

/** Moves a region; its nodes count from its start (syntax/placed.ts), so they move with it. */
function moveRegion(region: Region, delta: number): void {
  region.start += delta;
  region.end += delta;
}
