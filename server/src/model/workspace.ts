/**
 * The workspace index: every document, every machine by name, and resolved
 * machines cached until something they depend on changes. Editing one file
 * invalidates only the machines it defines and the machines that extend them.
 */
import { parseDocument, type ParsedDocument } from './document';
import { extendResolution, inheritanceChain, resolveMachine, type MachineRef, type ResolvedMachine } from './resolve';

export class Workspace {
  private readonly docs = new Map<string, ParsedDocument>();
  /** Machines by name; more than one entry is a duplicate (MT113). */
  private readonly byName = new Map<string, MachineRef[]>();
  /** Base name -> names of machines that extend it directly. */
  private readonly extenders = new Map<string, Set<string>>();
  private readonly resolved = new Map<string, ResolvedMachine>();
  /** Bumped on every change; consumers cache per generation. */
  generation = 0;
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
    const doc = parseDocument(uri, text, version);
    const touched = new Set<string>();
    const namesBefore = this.machineNameCount;
    if (old) this.unindex(old, touched);
    this.docs.set(uri, doc);
    this.index(doc, touched);
    this.invalidate(touched);
    if (this.machineNameCount !== namesBefore || !sameNames(old, doc)) this.dirtyUnresolved();
    this.dirty.add(uri);
    return doc;
  }

  removeDocument(uri: string): void {
    const old = this.docs.get(uri);
    if (!old) return;
    const touched = new Set<string>();
    this.unindex(old, touched);
    this.docs.delete(uri);
    this.invalidate(touched);
    this.dirtyUnresolved();
    this.dirty.delete(uri);
  }

  /**
   * The set of machine names changed: documents with an unknown base must be
   * re-analysed, since their did-you-mean suggestions come from that set.
   */
  private dirtyUnresolved(): void {
    for (const [base, children] of this.extenders) {
      if (this.byName.has(base)) continue;
      for (const child of children) for (const ref of this.byName.get(child) ?? []) this.dirty.add(ref.doc.uri);
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

  /** Names of machines that extend `name`, directly or not. */
  dependents(name: string): Set<string> {
    const out = new Set<string>();
    const queue = [name];
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
    const cached = this.resolved.get(ref.name);
    if (cached) return cached;
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

  /** Documents touched by changes since the last call (for re-publishing diagnostics). */
  takeDirty(): Set<string> {
    const d = this.dirty;
    this.dirty = new Set();
    return d;
  }

  // ---- index maintenance --------------------------------------------------

  private machineRefs(doc: ParsedDocument): MachineRef[] {
    const refs: MachineRef[] = [];
    for (const decl of doc.tree.machines) if (decl.name) refs.push({ doc, decl, name: decl.name.text });
    return refs;
  }

  private index(doc: ParsedDocument, touched: Set<string>): void {
    for (const ref of this.machineRefs(doc)) {
      const names = [ref.name, ...aliasesOf(ref)];
      for (const n of names) {
        const list = this.byName.get(n);
        if (list) insertInOrder(list, ref);
        else this.byName.set(n, [ref]);
        touched.add(n);
      }
      if (ref.decl.base) {
        const set = this.extenders.get(ref.decl.base.text);
        if (set) set.add(ref.name);
        else this.extenders.set(ref.decl.base.text, new Set([ref.name]));
      }
    }
  }

  private unindex(doc: ParsedDocument, touched: Set<string>): void {
    for (const ref of this.machineRefs(doc)) {
      for (const n of [ref.name, ...aliasesOf(ref)]) {
        const list = this.byName.get(n);
        if (!list) continue;
        const kept = list.filter((r) => r.decl !== ref.decl);
        if (kept.length) this.byName.set(n, kept);
        else this.byName.delete(n);
        touched.add(n);
      }
      if (ref.decl.base) this.extenders.get(ref.decl.base.text)?.delete(ref.name);
    }
  }

  private invalidate(names: Set<string>): void {
    this.generation++;
    const all = new Set(names);
    for (const n of names) for (const d of this.dependents(n)) all.add(d);
    for (const n of all) {
      this.resolved.delete(n);
      for (const ref of this.byName.get(n) ?? []) this.dirty.add(ref.doc.uri);
    }
    // Documents that mention a changed name as a base (e.g. an MT111 that may now resolve).
    for (const n of names) {
      for (const child of this.extenders.get(n) ?? []) for (const ref of this.byName.get(child) ?? []) this.dirty.add(ref.doc.uri);
    }
  }
}

function aliasesOf(ref: MachineRef): string[] {
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
