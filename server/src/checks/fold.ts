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
import type { MachineEntry, RegionDiagnostics, Stored, StoredRelated } from './document-diagnostics';
import { mapped } from '../common/arrays';

/** A machine's findings by cause: origin, then `code|subject`. */
const causeIndexes = new WeakMap<MachineEntry, Map<object, Map<string, Stored>>>();
/** A machine's findings that its base also has (`mine[i]` is `theirs[i]`), for the base entry they were matched against. */
const matchCache = new WeakMap<MachineEntry, Matches>();

interface Matches {
  base: MachineEntry;
  mine: Stored[];
  theirs: Stored[];
}
/** The related place that lists a folded finding's machine on the finding it folded into. */
const listings = new WeakMap<Stored, StoredRelated>();

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

function matches(entry: MachineEntry, base: MachineEntry): Matches {
  const cached = matchCache.get(entry);
  if (cached && cached.base === base) return cached;
  const found: Matches = { base, mine: [], theirs: [] };
  const index = causeIndex(base);
  if (index.size) {
    for (const s of entry.findings) {
      if (!s.cause) continue;
      const same = index.get(s.cause.origin)?.get(`${s.code}|${s.cause.subject}`);
      if (same) {
        found.mine.push(s);
        found.theirs.push(same);
      }
    }
  }
  matchCache.set(entry, found);
  return found;
}

function listing(folded: Stored, uri: string, machine: string): StoredRelated {
  // A stored finding belongs to one machine for life (a renamed machine is a new entry).
  let r = listings.get(folded);
  if (!r) listings.set(folded, (r = { uri, anchor: folded.at.anchor, start: folded.at.start, end: folded.at.end, message: `${machine} inherits this too` }));
  return r;
}

/** What one family's folding gives each piece it touches. */
interface Outcome {
  away: Map<RegionDiagnostics, Stored[]>;
  extra: Map<RegionDiagnostics, Map<Stored, StoredRelated[]>>;
}

/** A family: the machines of a document below one topmost machine, in text order, with their pieces. */
interface Family {
  entries: MachineEntry[];
  pieces: RegionDiagnostics[];
  /** Each piece's findings after suppression, when the outcome was computed. */
  shown: Array<readonly Stored[]>;
  outcome?: Outcome;
}

/**
 * The name of the topmost machine of an entry's chain that lies, like every machine
 * between, in the entry's document: what its family is known by. A name, not the
 * machine's ref or declaration: a machine parsed again is a new ref unless nothing its
 * family sees changed (model/workspace.ts), while the entries below it may stay as
 * they are (checks/reuse.ts; an entry is kept only while its chain has the same names).
 * Two machines of one name that are both topmost share a family, which only groups
 * what is folded together: each machine still folds into its own base.
 */
const roots = new WeakMap<MachineEntry, string | undefined>();

function rootOf(entry: MachineEntry, uri: string): string | undefined {
  if (roots.has(entry)) return roots.get(entry);
  const chain = entry.resolution?.chain;
  let root: string | undefined;
  // A cycle has no topmost machine; its members report for themselves.
  if (chain && !entry.resolution!.cycle) {
    let k = 0;
    while (k + 1 < chain.length && chain[k + 1].doc.uri === uri) k++;
    root = chain[k].name;
  }
  roots.set(entry, root);
  return root;
}

/**
 * Folds one document's inherited findings, family by family: a family whose machines
 * and shown findings are what they were keeps its outcome, so a keystroke costs the
 * edited machine's family, not the document.
 */
export class InheritedFolding {
  private families = new Map<string, Family>();

  /** Folds every piece of the document (its families found anew). */
  apply(doc: ParsedDocument, pieces: readonly RegionDiagnostics[], entryOf: (decl: MachineDecl) => MachineEntry | undefined): void {
    const now = new Map<string, Family>();
    for (const piece of pieces) {
      for (const entry of piece.entries) {
        const root = rootOf(entry, doc.uri);
        if (!root) continue;
        let family = now.get(root);
        if (!family) now.set(root, (family = { entries: [], pieces: [], shown: [] }));
        family.entries.push(entry);
        family.pieces.push(piece);
        family.shown.push(piece.unfolded);
      }
    }
    const changed = new Set<Family>();
    for (const [root, family] of now) {
      const before = this.families.get(root);
      if (before && sameMembers(before, family)) family.outcome = before.outcome;
      else {
        family.outcome = foldFamily(doc.uri, family, entryOf);
        changed.add(family);
      }
    }
    this.families = now;
    for (const piece of pieces) this.foldPiece(doc.uri, piece, changed);
  }

  /**
   * Folds after an analysis that changed only the pieces at `changed` (the document's
   * regions and machine headers otherwise as in `previous`): only the families their
   * machines were or are in are put together again. Returns every piece it folded.
   */
  update(
    doc: ParsedDocument,
    pieces: readonly RegionDiagnostics[],
    previous: readonly RegionDiagnostics[],
    changed: Iterable<number>,
    entryOf: (decl: MachineDecl) => MachineEntry | undefined,
  ): Set<RegionDiagnostics> {
    const uri = doc.uri;
    const replaced = new Set<RegionDiagnostics>();
    const added: RegionDiagnostics[] = [];
    const roots = new Set<string>();
    const touched = new Set<RegionDiagnostics>();
    for (const i of changed) {
      touched.add(pieces[i]);
      if (pieces[i] === previous[i]) continue;
      replaced.add(previous[i]);
      added.push(pieces[i]);
      for (const piece of [previous[i], pieces[i]]) {
        for (const entry of piece.entries) {
          const root = rootOf(entry, uri);
          if (root) roots.add(root);
        }
      }
    }
    const changedFamilies = new Set<Family>();
    for (const root of roots) {
      const before = this.families.get(root);
      const members: Array<{ entry: MachineEntry; piece: RegionDiagnostics }> = [];
      if (before) for (let k = 0; k < before.entries.length; k++) if (!replaced.has(before.pieces[k])) members.push({ entry: before.entries[k], piece: before.pieces[k] });
      for (const piece of added) for (const entry of piece.entries) if (rootOf(entry, uri) === root) members.push({ entry, piece });
      // Text order (a stable sort keeps the machines of one region in their order).
      members.sort((a, b) => a.piece.region.start - b.piece.region.start);
      if (members.length === 0) {
        this.families.delete(root);
        continue;
      }
      const family: Family = { entries: mapped(members, (m) => m.entry), pieces: mapped(members, (m) => m.piece), shown: mapped(members, (m) => m.piece.unfolded) };
      if (before && sameMembers(before, family)) family.outcome = before.outcome;
      else {
        family.outcome = foldFamily(uri, family, entryOf);
        changedFamilies.add(family);
      }
      this.families.set(root, family);
      for (const piece of family.pieces) touched.add(piece);
    }
    for (const piece of touched) this.foldPiece(uri, piece, changedFamilies);
    return touched;
  }

  /** Applies the outcomes of the piece's families to it (again only when one of them changed). */
  private foldPiece(uri: string, piece: RegionDiagnostics, changed: ReadonlySet<Family>): void {
    const families: Family[] = [];
    for (const entry of piece.entries) {
      const root = rootOf(entry, uri);
      const family = root && this.families.get(root);
      if (family && !families.includes(family)) families.push(family);
    }
    if (piece.folded && !families.some((f) => changed.has(f))) return;
    if (families.length <= 1) {
      const o = families[0]?.outcome;
      piece.fold(o?.away.get(piece), o?.extra.get(piece));
      return;
    }
    // A region with machines of several families (rare): their outcomes together.
    const away: Stored[] = [];
    const extra = new Map<Stored, StoredRelated[]>();
    for (const f of families) {
      away.push(...(f.outcome!.away.get(piece) ?? []));
      for (const [carrier, list] of f.outcome!.extra.get(piece) ?? []) extra.set(carrier, list);
    }
    piece.fold(away, extra);
  }
}

function sameMembers(a: Family, b: Family): boolean {
  if (a.entries.length !== b.entries.length) return false;
  for (let i = 0; i < a.entries.length; i++) {
    if (a.entries[i] !== b.entries[i] || a.pieces[i] !== b.pieces[i] || a.shown[i] !== b.shown[i]) return false;
  }
  return true;
}

function foldFamily(uri: string, family: Family, entryOf: (decl: MachineDecl) => MachineEntry | undefined): Outcome {
  const outcome: Outcome = { away: new Map(), extra: new Map() };
  const pieceOf = new Map<MachineEntry, RegionDiagnostics>();
  family.entries.forEach((e, i) => pieceOf.set(e, family.pieces[i]));
  // Each shown finding that its base shows too, and the piece the base's lies in.
  const into = new Map<Stored, Stored>();
  const pieceOfFinding = new Map<Stored, RegionDiagnostics>();
  // The folded findings in text order of their machines, with their pieces and machines' names.
  const folded: Stored[] = [];
  const foldedPiece: RegionDiagnostics[] = [];
  const foldedMachine: string[] = [];
  for (let m = 0; m < family.entries.length; m++) {
    const entry = family.entries[m];
    const base = entry.resolution?.chain[1];
    if (!base || base.doc.uri !== uri) continue;
    const baseEntry = entryOf(base.decl);
    const basePiece = baseEntry && pieceOf.get(baseEntry);
    if (!baseEntry || !basePiece) continue;
    const piece = family.pieces[m];
    const machine = entry.resolution!.ref.name;
    const { mine, theirs } = matches(entry, baseEntry);
    for (let i = 0; i < mine.length; i++) {
      if (!piece.shows(mine[i]) || !basePiece.shows(theirs[i])) continue;
      into.set(mine[i], theirs[i]);
      pieceOfFinding.set(theirs[i], basePiece);
      folded.push(mine[i]);
      foldedPiece.push(piece);
      foldedMachine.push(machine);
    }
  }
  // In text order of the folded machines, so each carrier lists them in text order.
  for (let k = 0; k < folded.length; k++) {
    const finding = folded[k];
    const piece = foldedPiece[k];
    const machine = foldedMachine[k];
    let carrier = into.get(finding)!;
    for (let guard = 0, next = into.get(carrier); next !== undefined && guard <= folded.length; guard++, next = into.get(carrier)) carrier = next;
    // Its carrier is the carrier of whatever folds into it: a machine below, in a long chain,
    // then finds it in one step instead of climbing the chain again (bases come first in text,
    // as a rule; when they do not, the climb is only longer).
    into.set(finding, carrier);
    let gone = outcome.away.get(piece);
    if (!gone) outcome.away.set(piece, (gone = []));
    gone.push(finding);
    const carrierPiece = pieceOfFinding.get(carrier)!;
    let lists = outcome.extra.get(carrierPiece);
    if (!lists) outcome.extra.set(carrierPiece, (lists = new Map()));
    let list = lists.get(carrier);
    if (!list) lists.set(carrier, (list = []));
    list.push(listing(finding, uri, machine));
  }
  return outcome;
}
