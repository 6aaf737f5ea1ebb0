/**
 * The workspace index: every document, every machine by name, and resolved
 * machines cached until something they depend on changes.
 *
 * Invariant: editing a machine's body never changes the index or another
 * machine's resolution, except the machines that extend it. A new version of a
 * document is parsed incrementally, so machines the edit did not touch keep their
 * syntax objects (moved in place) and their `MachineRef`; only machines whose
 * declaration was parsed anew are un-indexed and re-indexed, and only they and
 * their dependents are resolved again.
 */
import type { Span } from '../common/text';
import type { MachineDecl } from '../syntax/ast';
import { ALL_MOVED, movedSince, type Moved } from '../syntax/moves';
import { takePredecessor } from '../syntax/reparse';
import { parseDocument, type ParsedDocument } from './document';
import { extendResolution, inheritanceChain, resolveMachine, type MachineRef, type ResolvedMachine } from './resolve';

export class Workspace {
  private readonly docs = new Map<string, ParsedDocument>();
  /** Machines by name; more than one entry is a duplicate (MT113). */
  private readonly byName = new Map<string, MachineRef[]>();
  /** Base name -> names of machines that extend it directly. */
  private readonly extenders = new Map<string, Set<string>>();
  /** Names in `extenders` that no machine defines (MT111 bases), kept so a new name costs these, not every base. */
  private readonly unresolvedBases = new Set<string>();
  private readonly resolved = new Map<string, ResolvedMachine>();
  /** The one ref of each indexed declaration, kept while the declaration survives edits. */
  private readonly refs = new WeakMap<MachineDecl, MachineRef>();
  /** Bumped whenever resolutions are dropped (`invalidatedSince`). */
  generation = 0;
  /** The names each of the last few generations dropped the resolutions of. */
  private readonly invalidations: Array<{ generation: number; names: ReadonlySet<string> }> = [];
  /** Documents whose analysis may have changed since the last `takeDirty()`. */
  private dirty = new Set<string>();

  get documents(): Iterable<ParsedDocument> {
    return this.docs.values();
  }

  get documentCount(): number {
    return this.docs.size;
  }

  document(uri: string): ParsedDocument | undefined {
    return this.docs.get(uri);
  }

  /** Adds or replaces a document; returns the parsed document. */
  setDocument(uri: string, text: string, version = 0): ParsedDocument {
    const old = this.docs.get(uri);
    if (old && old.text === text) {
      old.version = version;
      return old;
    }
    const doc = parseDocument(uri, text, version, old);
    const touched = new Set<string>();
    const namesBefore = this.machineNameCount;
    // Declarations that survived the edit keep their ref (now pointing at this version);
    // the others leave the index and the new ones enter it. (No set of the survivors: a
    // keystroke keeps all but one or two of hundreds.)
    const fresh: MachineRef[] = [];
    // Declarations parsed anew with every statement they resolve from kept (the edit lay in a
    // description, a comment, blank lines): their ref carries over, and their resolution with it.
    const carried: string[] = [];
    for (const decl of doc.tree.machines) {
      const before = takePredecessor(decl);
      if (!decl.name) continue;
      const ref = this.refs.get(decl);
      if (ref && ref.doc.uri === uri && ref.name === decl.name.text) ref.doc = doc;
      else if (before && this.carryOver(before, decl, doc)) carried.push(decl.name.text);
      else {
        const made = { doc, decl, name: decl.name.text };
        this.refs.set(decl, made);
        fresh.push(made);
      }
    }
    // An old declaration whose ref was not carried over has left the text.
    const gone: MachineRef[] = [];
    for (const decl of old?.tree.machines ?? []) {
      const ref = decl.name && this.refs.get(decl);
      if (ref && ref.doc !== doc) gone.push(ref);
    }
    // A declaration that left the text keeps no ref: anything still holding the old
    // declaration would otherwise hold, through its ref, the version it was last in.
    for (const r of gone) this.refs.delete(r.decl);
    this.unindex(gone, touched);
    this.docs.set(uri, doc);
    this.index(fresh, touched);
    this.invalidate(touched, carried);
    if (this.machineNameCount !== namesBefore || !sameNames(old, doc)) this.dirtyUnresolved();
    this.dirtyMovedBases(doc, fresh, old ? movedSince(old.tree.serial, doc.tree) : ALL_MOVED);
    this.dirty.add(uri);
    return doc;
  }

  /**
   * Moves the ref of `before` onto `decl`, the declaration of `doc` that replaces it, when
   * the two resolve alike: the same name and base, and the same statement objects
   * (syntax/reparse.ts keeps the ones an edit left as they were) but for descriptions,
   * which nothing resolves from.
   */
  private carryOver(before: MachineDecl, decl: MachineDecl, doc: ParsedDocument): boolean {
    const ref = this.refs.get(before);
    if (!ref || ref.decl !== before || ref.doc.uri !== doc.uri || ref.name !== decl.name?.text || !resolvesAlike(before, decl)) return false;
    this.refs.delete(before);
    this.refs.set(decl, ref);
    ref.decl = decl;
    ref.doc = doc;
    return true;
  }

  removeDocument(uri: string): void {
    const old = this.docs.get(uri);
    if (!old) return;
    const touched = new Set<string>();
    this.unindex(this.machineRefs(old), touched);
    this.docs.delete(uri);
    this.invalidate(touched);
    this.dirtyUnresolved();
    this.dirty.delete(uri);
  }

  /**
   * Machines of `uri` that survived an edit may have moved; documents whose machines
   * extend them, or define the same name, point at them (related information) and
   * must be placed again — not re-checked: their resolutions stay.
   */
  private dirtyMovedBases(doc: ParsedDocument, fresh: readonly MachineRef[], moved: Moved): void {
    const uri = doc.uri;
    // The moved machines' dependents, walked once for all of them: an Enter moves half a file, whose chains share them.
    const moving: string[] = [];
    for (const decl of doc.tree.machines) {
      // Only a declaration whose place changed (its name, where related information points).
      if (!decl.name || (!moved(decl.start) && !moved(decl.name.start))) continue;
      if (isFresh(fresh, decl)) continue; // new ones entered the index: their names are touched already
      const name = decl.name.text;
      const same = this.byName.get(name) ?? [];
      if (same.length > 1) for (const ref of same) if (ref.doc.uri !== uri) this.dirty.add(ref.doc.uri); // MT113 points at the other definitions
      if (this.extenders.has(name)) moving.push(name);
    }
    for (const d of this.dependents(moving)) for (const ref of this.byName.get(d) ?? []) if (ref.doc.uri !== uri) this.dirty.add(ref.doc.uri);
  }

  /**
   * The set of machine names changed: documents with an unknown base must be
   * re-analysed, since their did-you-mean suggestions come from that set.
   */
  private dirtyUnresolved(): void {
    for (const base of this.unresolvedBases) {
      for (const child of this.extenders.get(base) ?? []) for (const ref of this.byName.get(child) ?? []) this.dirty.add(ref.doc.uri);
    }
  }

  /** All definitions of a name (or of an alias). */
  definitions(name: string): MachineRef[] {
    return this.byName.get(name) ?? [];
  }

  /** The definition `extends NAME` resolves to: the first by URI, then position (stable across edits). */
  lookup = (name: string): MachineRef | undefined => this.byName.get(name)?.[0];

  machineNames(): Iterable<string> {
    return this.byName.keys();
  }

  get machineNameCount(): number {
    return this.byName.size;
  }

  /** Names of machines that extend any of `names`, directly or not (one walk: chains share their dependents). */
  dependents(names: Iterable<string>): Set<string> {
    const out = new Set<string>();
    const queue = [...names];
    while (queue.length) {
      const n = queue.pop()!;
      for (const child of this.extenders.get(n) ?? []) {
        if (!out.has(child)) {
          out.add(child);
          queue.push(child);
        }
      }
    }
    return out;
  }

  resolve(ref: MachineRef): ResolvedMachine {
    const primary = this.lookup(ref.name);
    if (primary?.decl !== ref.decl) return resolveMachine(ref, this.lookup); // a duplicate: not cached
    // The cache keeps the workspace's own ref, which follows the document's versions; a
    // caller's ref would keep the version it was made for alive (and its tree, and so on).
    ref = primary;
    const cached = this.resolved.get(ref.name);
    if (cached) return cached;
    // A resolved base (no cycle through it): this machine's statements on top of it, without
    // walking the chain again (machine by machine down a long chain, that walk was quadratic).
    const base = ref.decl.base ? this.lookup(ref.decl.base.text) : undefined;
    const ofBase = base && base.decl !== ref.decl ? this.resolved.get(base.name) : undefined;
    if (ofBase && !ofBase.cycle) {
      const r = extendResolution(ref, ofBase);
      this.resolved.set(ref.name, r);
      return r;
    }
    const { chain, cycle, missingBase } = inheritanceChain(ref, this.lookup);
    if (cycle) {
      const r = resolveMachine(ref, this.lookup);
      this.resolved.set(ref.name, r);
      return r;
    }
    // Resolve the chain from the farthest uncached base down, caching every step, so
    // a family of machines costs each one its own statements (and no recursion depth).
    let start = chain.length - 1;
    for (let i = 1; i < chain.length; i++) {
      if (this.resolved.has(chain[i].name)) {
        start = i - 1;
        break;
      }
    }
    let r: ResolvedMachine | undefined = start + 1 < chain.length ? this.resolved.get(chain[start + 1].name) : undefined;
    for (let i = start; i >= 0; i--) {
      r = extendResolution(chain[i], r);
      if (i === chain.length - 1 && missingBase) r.missingBase = missingBase;
      this.resolved.set(chain[i].name, r);
    }
    return r!;
  }

  /** The declaration of the current version of `uri` whose text contains `span`. */
  machineAt(uri: string, span: Span): MachineDecl | undefined {
    const machines = this.docs.get(uri)?.tree.machines;
    if (!machines) return undefined;
    let lo = 0;
    let hi = machines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (machines[mid].start <= span.start) lo = mid;
      else hi = mid - 1;
    }
    const m = machines[lo];
    return m && m.start <= span.start && span.end <= m.end ? m : undefined;
  }

  /** Documents touched by changes since the last call (for re-publishing diagnostics). */
  takeDirty(): Set<string> {
    const d = this.dirty;
    this.dirty = new Set();
    return d;
  }

  // ---- index maintenance --------------------------------------------------

  /** The refs of a document's named declarations (the indexed ones when they exist). */
  private machineRefs(doc: ParsedDocument): MachineRef[] {
    const refs: MachineRef[] = [];
    for (const decl of doc.tree.machines) {
      if (!decl.name) continue;
      let ref = this.refs.get(decl);
      if (!ref || ref.doc.uri !== doc.uri || ref.name !== decl.name.text) this.refs.set(decl, (ref = { doc, decl, name: decl.name.text }));
      refs.push(ref);
    }
    return refs;
  }

  private index(refs: MachineRef[], touched: Set<string>): void {
    for (const ref of refs) {
      const names = [ref.name, ...aliasesOf(ref)];
      for (const n of names) {
        const list = this.byName.get(n);
        if (list) insertInOrder(list, ref);
        else this.byName.set(n, [ref]);
        this.unresolvedBases.delete(n);
        touched.add(n);
      }
      if (ref.decl.base) {
        const base = ref.decl.base.text;
        const set = this.extenders.get(base);
        if (set) set.add(ref.name);
        else this.extenders.set(base, new Set([ref.name]));
        if (!this.byName.has(base)) this.unresolvedBases.add(base);
      }
    }
  }

  private unindex(refs: MachineRef[], touched: Set<string>): void {
    for (const ref of refs) {
      for (const n of [ref.name, ...aliasesOf(ref)]) {
        const list = this.byName.get(n);
        if (!list) continue;
        const kept = list.filter((r) => r.decl !== ref.decl);
        if (kept.length) this.byName.set(n, kept);
        else {
          this.byName.delete(n);
          if (this.extenders.has(n)) this.unresolvedBases.add(n);
        }
        touched.add(n);
      }
      const base = ref.decl.base?.text;
      // A same-named duplicate may still extend the same base.
      if (base && !this.definitions(ref.name).some((r) => r.name === ref.name && r.decl.base?.text === base)) this.extenders.get(base)?.delete(ref.name);
    }
  }

  /**
   * The names whose resolutions were dropped after `generation`, so that an analysis
   * made then can tell which machines may resolve differently now; undefined when
   * that lies further back than the workspace remembers.
   */
  invalidatedSince(generation: number): Set<string> | undefined {
    const out = new Set<string>();
    if (generation === this.generation) return out;
    if (generation > this.generation || !this.invalidations.length || this.invalidations[0].generation > generation + 1) return undefined;
    for (const entry of this.invalidations) if (entry.generation > generation) for (const n of entry.names) out.add(n);
    return out;
  }

  /**
   * Drops the resolutions of `names` and their dependents. The dependents of `carried`
   * machines keep theirs, but what they point at in them may have moved: they are
   * logged with the dropped ones, so that analyses look at them again (and place them).
   */
  private invalidate(names: Set<string>, carried: readonly string[] = []): void {
    this.generation++;
    const all = this.dependents(names);
    for (const n of names) all.add(n);
    // A carried machine is logged itself too: others that quote its nodes (another definition
    // of its name) find them moved.
    const logged = carried.length ? new Set([...all, ...carried, ...this.dependents(carried)]) : all;
    this.invalidations.push({ generation: this.generation, names: logged });
    if (this.invalidations.length > MAX_INVALIDATIONS) this.invalidations.shift();
    for (const n of all) this.resolved.delete(n);
    for (const n of logged) for (const ref of this.byName.get(n) ?? []) this.dirty.add(ref.doc.uri);
    // Documents that mention a changed name as a base (e.g. an MT111 that may now resolve).
    for (const n of names) {
      for (const child of this.extenders.get(n) ?? []) for (const ref of this.byName.get(child) ?? []) this.dirty.add(ref.doc.uri);
    }
  }
}

/** Whether two versions of a machine resolve alike (`Workspace.carryOver`). */
function resolvesAlike(a: MachineDecl, b: MachineDecl): boolean {
  if (a.base?.text !== b.base?.text) return false;
  const x = a.statements;
  const y = b.statements;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < x.length && x[i].kind === 'description') i++;
    while (j < y.length && y[j].kind === 'description') j++;
    if (i === x.length || j === y.length) return i === x.length && j === y.length;
    if (x[i++] !== y[j++]) return false;
  }
}

/** Generations of invalidated names kept (an analysis further behind starts over). */
const MAX_INVALIDATIONS = 16;

/** The other names a machine is indexed under (its `alias` statements). */
export function aliasesOf(ref: Pick<MachineRef, 'decl' | 'name'>): string[] {
  const out: string[] = [];
  for (const s of ref.decl.statements) if (s.kind === 'alias' && s.name && s.name.text !== ref.name) out.push(s.name.text);
  return out;
}

/**
 * Definitions of one name are kept in document order (URI, then position), so the
 * one `extends` binds to does not depend on which file was opened or edited last.
 */
function insertInOrder(list: MachineRef[], ref: MachineRef): void {
  const before = (a: MachineRef, b: MachineRef) => a.doc.uri < b.doc.uri || (a.doc.uri === b.doc.uri && a.decl.start < b.decl.start);
  let i = list.length;
  while (i > 0 && before(ref, list[i - 1])) i--;
  list.splice(i, 0, ref);
}

/** Whether two versions of a document define the same machine names, in order. */
function sameNames(a: ParsedDocument | undefined, b: ParsedDocument): boolean {
  if (!a || a.tree.machines.length !== b.tree.machines.length) return false;
  return a.tree.machines.every((m, i) => m.name?.text === b.tree.machines[i].name?.text);
}

/** Whether `decl` is one of the declarations an edit made (a few: a plain loop, no closure per declaration that moved). */
function isFresh(fresh: readonly MachineRef[], decl: MachineDecl): boolean {
  for (const r of fresh) if (r.decl === decl) return true;
  return false;
}
