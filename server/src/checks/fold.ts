/**
 * One finding per cause (the `once` way of reporting inherited findings).
 *
 * A machine's finding folds into its base's when the base, in the same document,
 * shows a finding of the same code with the same cause: the same statement (one
 * origin object per syntax node, shared along the chain) and the same subject (the
 * bit, the dependency, the MSR group). What stays is the finding of the topmost
 * machine that has it; each machine folded into it is added to its related
 * information, at that machine's name. A machine whose base lacks the finding (its
 * own release, kernels or accelerator decide differently), whose base lies in
 * another document, or whose base's finding is suppressed keeps its own.
 *
 * Folding reads the findings after suppression and changes only what is shown: the
 * machines' stored findings stay as the checks made them.
 */
import type { MachineDecl } from '../syntax/ast';
import type { ParsedDocument } from '../model/document';
import { absolute, type MachineEntry, type RegionDiagnostics, type Stored, type StoredRelated } from './document-diagnostics';

/** A machine's findings by cause: origin, then `code|subject`. */
const causeIndexes = new WeakMap<MachineEntry, Map<object, Map<string, Stored>>>();
/** A machine's findings that its base also has, for the base entry they were matched against. */
const matchCache = new WeakMap<MachineEntry, { base: MachineEntry; pairs: Array<[Stored, Stored]> }>();
/** The related place that lists a folded finding's machine on the finding it folded into. */
const listings = new WeakMap<Stored, StoredRelated>();
const ids = new WeakMap<object, number>();
let nextId = 0;

function causeIndex(entry: MachineEntry): Map<object, Map<string, Stored>> {
  let index = causeIndexes.get(entry);
  if (!index) {
    index = new Map();
    for (const s of entry.findings) {
      if (!s.cause) continue;
      let byKey = index.get(s.cause.origin);
      if (!byKey) index.set(s.cause.origin, (byKey = new Map()));
      const key = `${s.code}|${s.cause.subject}`;
      if (!byKey.has(key)) byKey.set(key, s);
    }
    causeIndexes.set(entry, index);
  }
  return index;
}

function matches(entry: MachineEntry, base: MachineEntry): Array<[Stored, Stored]> {
  const cached = matchCache.get(entry);
  if (cached && cached.base === base) return cached.pairs;
  const pairs: Array<[Stored, Stored]> = [];
  const index = causeIndex(base);
  if (index.size) {
    for (const s of entry.findings) {
      if (!s.cause) continue;
      const same = index.get(s.cause.origin)?.get(`${s.code}|${s.cause.subject}`);
      if (same) pairs.push([s, same]);
    }
  }
  matchCache.set(entry, { base, pairs });
  return pairs;
}

function id(s: object): number {
  let n = ids.get(s);
  if (n === undefined) ids.set(s, (n = ++nextId));
  return n;
}

function listing(folded: Stored, uri: string, machine: string): StoredRelated {
  // A stored finding belongs to one machine for life (a renamed machine is a new entry).
  let r = listings.get(folded);
  if (!r) listings.set(folded, (r = { uri, anchor: folded.at.anchor, start: folded.at.start, end: folded.at.end, message: `${machine} inherits this too` }));
  return r;
}

/** Folds the inherited findings of one document's pieces (each piece gets its outcome). */
export function foldInherited(doc: ParsedDocument, pieces: readonly RegionDiagnostics[], entryOf: (decl: MachineDecl) => MachineEntry | undefined): void {
  const pieceOf = new Map<MachineEntry, RegionDiagnostics>();
  const nameOf = new Map<MachineEntry, string>();
  for (const piece of pieces) {
    piece.region.machines.forEach((decl, i) => {
      const entry = piece.entries[i];
      pieceOf.set(entry, piece);
      if (decl.name) nameOf.set(entry, decl.name.text);
    });
  }
  // Each shown finding that its base shows too, and where each lies.
  const into = new Map<Stored, Stored>();
  const owner = new Map<Stored, MachineEntry>();
  for (const piece of pieces) {
    for (const entry of piece.entries) {
      const base = entry.resolution?.chain[1];
      // A cycle has no topmost machine; its members report for themselves.
      if (!base || base.doc.uri !== doc.uri || entry.resolution?.cycle) continue;
      const baseEntry = entryOf(base.decl);
      const basePiece = baseEntry && pieceOf.get(baseEntry);
      if (!baseEntry || !basePiece) continue;
      for (const [mine, theirs] of matches(entry, baseEntry)) {
        if (!piece.shows(mine) || !basePiece.shows(theirs)) continue;
        into.set(mine, theirs);
        owner.set(mine, entry);
        owner.set(theirs, baseEntry);
      }
    }
  }
  const away = new Map<RegionDiagnostics, Set<Stored>>();
  const extra = new Map<RegionDiagnostics, Map<Stored, StoredRelated[]>>();
  for (const [folded] of into) {
    let carrier = folded;
    for (let guard = 0; into.has(carrier) && guard <= into.size; guard++) carrier = into.get(carrier)!;
    const from = owner.get(folded)!;
    const piece = pieceOf.get(from)!;
    (away.get(piece) ?? away.set(piece, new Set()).get(piece)!).add(folded);
    const carrierPiece = pieceOf.get(owner.get(carrier)!)!;
    const lists = extra.get(carrierPiece) ?? extra.set(carrierPiece, new Map()).get(carrierPiece)!;
    (lists.get(carrier) ?? lists.set(carrier, []).get(carrier)!).push(listing(folded, doc.uri, nameOf.get(from) ?? '?'));
  }
  for (const piece of pieces) {
    const gone = away.get(piece);
    const more = extra.get(piece);
    let signature = '';
    if (gone) for (const s of gone) signature += `-${id(s)}`;
    if (more) {
      for (const [carrier, list] of more) {
        // The machines a finding folded from, in text order.
        list.sort((a, b) => absolute(a) - absolute(b));
        signature += `+${id(carrier)}:`;
        for (const r of list) signature += `${id(r)},`;
      }
    }
    piece.fold(signature, gone, more);
  }
}
