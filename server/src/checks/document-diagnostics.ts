/**
 * A document's final diagnostics (severity and suppression applied), kept per
 * region of the syntax tree — in practice per machine — between analyses.
 *
 * Findings are stored relative to the machine they lie in (related information
 * relative to the machine it points into), so a machine that only moved keeps its
 * stored diagnostics as they are; absolute offsets and line/character ranges are
 * computed in one place (`RegionDiagnostics.diagnostics`) when someone asks.
 * A machine is checked again only when its resolution is a new object (its text,
 * or a base's, changed: model/workspace.ts — related information points only into
 * the machine's chain, so the same resolution means the same places), when a
 * did-you-mean budget answer its checks asked for changed (checks/budget.ts), or
 * when its findings depend on the rest of the workspace (duplicates, unknown bases,
 * cycles).
 */
import { CODES, type Cause, type Code, type Diagnostic, type Finding, type FixIntent, type RelatedInfo, type SeverityOverrides } from '../common/diagnostic';
import type { Range, Span } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { ResolvedMachine } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import type { MachineDecl, Region } from '../syntax/ast';
import { MachineContext, type BudgetQuery } from './context';
import { maySuggest } from './budget';
import { keywordFixes } from './keyword-fixes';
import { Suppressions } from './suppression';
import { InheritedFolding } from './fold';
import { ALL_MOVED, movedSince, type Moved } from '../syntax/moves';
import { Placed } from '../syntax/placed';
import { changedRegions, type AnalysedState } from './changed-regions';
import { mapped } from '../common/arrays';

export interface AnalysisOptions {
  severity?: SeverityOverrides;
  /**
   * `each` (the default): a finding a machine inherits is reported on every machine it
   * affects. `once`: one finding per cause, on the topmost affected machine of the
   * document, with the machines that inherit it in its related information (fold.ts).
   */
  inherited?: 'each' | 'once';
  /** Oldest host kernel of the fleet, for machines that state no host-kernel (a setting). */
  hostKernelFloor?: string;
}

/** The checks of one machine (checks/index.ts). */
export type MachineChecker = (ctx: MachineContext) => Finding[];

/** What the language server needs to send only what changed. */
export interface DiagnosticsPiece {
  /**
   * The region's first machine: its name, `name#2` for the second machine of that name
   * in the document, `#before` for text before the first machine. Stable across edits
   * elsewhere (never an array position).
   */
  readonly id: string;
  /**
   * Changes whenever the diagnostics as sent would change: codes, severities,
   * messages, ranges and related ranges. Offsets (`span`, fix spans) are not covered.
   */
  readonly version: number;
  /** Changes when the diagnostics changed other than by moving (what a re-check yields). */
  readonly contentVersion: number;
  /** 0-based line where the region starts. */
  readonly line: number;
  /** The diagnostics, placed in the current text (computed on first use after a move). */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * What placing them would give as numbers: each diagnostic's range (start line and
   * character, end line and character), then with `related` those of its related
   * places; `last` is where the last diagnostic's own four begin. For a piece that only
   * moved, this is all that changed, and the diagnostics are not made.
   */
  rangeNumbers(related: boolean): { numbers: number[]; last: number };
}

/** Codes whose messages or related places depend on more than the machine's chain. */
const WORKSPACE_DEPENDENT = new Set<Code>(['MT111', 'MT112', 'MT113']);

/**
 * A place relative to an anchor: the machine it lies in, the region for syntax
 * diagnostics, or `FIXED` (offset 0 of its document) for the rare finding that lies
 * outside its machine — its machine is then checked again on every analysis.
 */
export interface Anchored {
  uri: string;
  anchor: Span;
  start: number;
  end: number;
}

const FIXED: Span = { start: 0, end: 0 };

export interface Stored {
  code: Code;
  severity: Diagnostic['severity'];
  message: string;
  at: Anchored;
  related?: StoredRelated[];
  fixes?: FixIntent[];
  tags?: Diagnostic['tags'];
  cause?: Cause;
}

export type StoredRelated = Anchored & { message: string };

/** One machine's findings, severity applied, relative to the machine. */
export interface MachineEntry {
  resolution: ResolvedMachine | undefined;
  /** What the checks returned, as they returned it: the same array means the same findings. */
  found: readonly Finding[];
  /** Each finding of `found` as stored; undefined where its place is counted from the document's start (never kept). */
  stored: ReadonlyArray<Stored | typeof SILENT | undefined>;
  findings: Stored[];
  reusable: boolean;
  budget: BudgetQuery[];
}

let versions = 0;

export class RegionDiagnostics implements DiagnosticsPiece {
  id = '';
  version = 0;
  contentVersion = 0;
  line = 0;
  private kept: Stored[] = [];
  private shown: Stored[] = [];
  private moved: Moved = ALL_MOVED;
  private placedContent = -1;
  private folding?: { away?: readonly Stored[]; extra?: ReadonlyMap<Stored, readonly StoredRelated[]> };
  private suppression?: string;
  private placedKey?: string;
  private placedAt?: string;
  private placed: Diagnostic[] = [];
  /** Distinct anchors of the kept diagnostics' related information. */
  private anchors: Array<{ uri: string; anchor: Span }> = [];

  constructor(
    readonly region: Region,
    readonly entries: MachineEntry[],
    private readonly all: Stored[],
    private readonly doc: () => ParsedDocument,
    private readonly workspace: Workspace,
  ) {}

  /** Applies suppression comments (by line); `moved` says which offsets may have moved since the last analysis. */
  refresh(doc: ParsedDocument, suppressions: Suppressions, moved: Moved): void {
    let signature = '';
    const silenced = suppressions.byLine;
    if (silenced.size) {
      const first = doc.lines.positionAt(this.region.start).line;
      const last = doc.lines.positionAt(this.region.end).line;
      for (const l of suppressions.within(first, last)) signature += `${l - first}:${[...silenced.get(l)!].join(',')};`;
    }
    if (signature !== this.suppression) {
      this.suppression = signature;
      this.kept = signature
        ? this.all.filter((s) => {
            const codes = silenced.get(doc.lines.positionAt(absolute(s.at)).line);
            return !(codes && (codes.has(s.code) || codes.has('*')));
          })
        : this.all;
      this.folding = undefined;
    }
    this.moved = moved;
  }

  private keptSet?: { of: Stored[]; set: Set<Stored> };
  private awaySet?: ReadonlySet<Stored>;

  /**
   * Whether the piece must be looked at on every analysis: a machine of it is checked
   * every time (its findings depend on the rest of the workspace), or its related
   * information points into another document (which may have moved).
   */
  get volatile(): boolean {
    // A piece's entries and findings never change: worked out once.
    if (this.volatileCache === undefined) {
      const uri = this.doc().uri;
      this.volatileCache = this.entries.some((e) => !e.reusable) || this.all.some((s) => s.related?.some((r) => r.uri !== uri) ?? false);
    }
    return this.volatileCache;
  }

  private volatileCache?: boolean;

  /** Whether a finding of this region is shown folded into a base's (fold.ts). */
  isFolded(s: Stored): boolean {
    return this.awaySet?.has(s) ?? false;
  }

  /** The findings after suppression, before folding (an array that changes only with them). */
  get unfolded(): readonly Stored[] {
    return this.kept;
  }

  /** Whether `fold` has been applied since the findings after suppression last changed. */
  get folded(): boolean {
    return this.folding !== undefined;
  }

  /** Whether a finding of this region is shown after suppression (what `fold.ts` asks). */
  shows(s: Stored): boolean {
    if (this.kept === this.all) return true;
    if (this.keptSet?.of !== this.kept) this.keptSet = { of: this.kept, set: new Set(this.kept) };
    return this.keptSet.set.has(s);
  }

  /**
   * Applies the folding of inherited findings (fold.ts): `away` leaves the region,
   * `extra` adds related places to the findings that now carry them. An outcome equal
   * to the last one (the same objects in the same order) costs a comparison.
   */
  fold(away?: readonly Stored[], extra?: ReadonlyMap<Stored, readonly StoredRelated[]>): void {
    if (this.folding && sameFold(this.folding, away, extra)) return;
    this.folding = { away, extra };
    this.awaySet = away?.length ? new Set(away) : undefined;
    this.shown = !this.awaySet && !extra?.size ? this.kept : mapped(this.kept.filter((s) => !this.awaySet?.has(s)), (s) => {
      const more = extra?.get(s);
      return more ? { ...s, related: [...(s.related ?? []), ...more] } : s;
    });
    const seen = new Set<Span>();
    this.anchors = [];
    for (const k of this.shown) {
      for (const r of k.related ?? []) {
        if (seen.has(r.anchor)) continue;
        seen.add(r.anchor);
        this.anchors.push({ uri: r.uri, anchor: r.anchor });
      }
    }
    this.contentVersion = ++versions;
  }

  /** Notes where the region now sits (after `refresh` and `fold`). */
  finish(): void {
    // Nothing to do when the findings are as placed and none of the positions the placement reads moved.
    if (this.placedContent === this.contentVersion && !this.positionsMoved(this.moved)) return;
    this.placedContent = this.contentVersion;
    this.line = this.doc().lines.positionAt(this.region.start).line;
    const key = `${this.contentVersion}|${this.placement(true)}`;
    if (key !== this.placedKey) {
      this.placedKey = key;
      this.version = ++versions;
    }
  }

  /** Whether a line or character the placement key holds may have changed (positions in another document always may). */
  private positionsMoved(moved: Moved): boolean {
    if (moved === ALL_MOVED || moved(this.region.start)) return true;
    for (const m of this.region.machines) if (moved(m.start)) return true;
    const uri = this.doc().uri;
    for (const r of this.anchors) if (r.uri !== uri || moved(r.anchor.start)) return true;
    return false;
  }

  /** The diagnostics as placed, if they were placed for the piece's current version. */
  private placedForVersion(): readonly Diagnostic[] | undefined {
    if (this.placedAt === undefined || !this.placedAt.startsWith(`${this.version}|`)) return undefined;
    return this.placed;
  }

  /**
   * Takes over the version of the piece this one replaces when both send the same (a
   * comment typed in the machine re-checks it, and finds what it found before).
   */
  adopt(previous: RegionDiagnostics): void {
    const before = previous.placedForVersion();
    if (before === undefined || !sameSent(before, this.diagnostics)) return;
    const placedAt = this.placedAt!.slice(this.placedAt!.indexOf('|'));
    this.version = previous.version;
    this.placedAt = `${this.version}${placedAt}`;
  }

  rangeNumbers(related: boolean): { numbers: number[]; last: number } {
    const doc = this.doc();
    const numbers: number[] = [];
    const push = (r: Range) => numbers.push(r.start.line, r.start.character, r.end.line, r.end.character);
    let last = 0;
    for (const s of this.shown) {
      last = numbers.length;
      const range = doc.lines.rangeOf(spanOf(s.at));
      push(range);
      if (related) for (const r of s.related ?? []) push(this.relatedRange(doc, r, range));
    }
    return { numbers, last };
  }

  get diagnostics(): Diagnostic[] {
    // Offsets and lines: an edit of equal length before the region (a space for a line break) moves only lines.
    const at = `${this.version}|${this.placement(false)}`;
    if (at !== this.placedAt) {
      this.placedAt = at;
      this.placed = mapped(this.shown, (s) => this.place(s));
    }
    return this.placed;
  }

  /** Where the region, its machines and the machines related information points into are: lines or offsets. */
  private placement(lines: boolean): string {
    const doc = this.doc();
    const pos = (uri: string, offset: number) => {
      if (!lines) return `${offset}`;
      const other = uri === doc.uri ? doc : this.workspace.document(uri);
      const p = other ? other.lines.positionAt(offset) : { line: -1, character: -1 };
      return `${p.line}.${p.character}`;
    };
    let key = pos(doc.uri, this.region.start);
    for (const m of this.region.machines) key += ',' + pos(doc.uri, m.start);
    for (const r of this.anchors) key += `;${r.uri === doc.uri ? '' : r.uri}@${pos(r.uri, r.anchor.start)}`;
    return key;
  }

  /** Where a related place lies now; in a document that is gone, at the finding's own range. */
  private relatedRange(doc: ParsedDocument, r: StoredRelated, own: Range): Range {
    const other = r.uri === doc.uri ? doc : this.workspace.document(r.uri);
    return other ? other.lines.rangeOf(spanOf(r)) : own;
  }

  private place(s: Stored): Diagnostic {
    const doc = this.doc();
    const span = spanOf(s.at);
    const range = doc.lines.rangeOf(span);
    return {
      code: s.code,
      severity: s.severity,
      message: s.message,
      range,
      span,
      related: s.related && mapped(s.related, (r) => ({ uri: r.uri, range: this.relatedRange(doc, r, range), message: r.message })),
      // Most intents name a machine, not a span: those lists are shared as they are.
      fixes: s.fixes && (s.fixes.some(hasSpan) ? mapped(s.fixes, (f) => (hasSpan(f) ? { ...f, span: shift(f.span, s.at.anchor.start) } : f)) : s.fixes),
      tags: s.tags,
    };
  }
}

/**
 * Keeps the pieces of every analysed document and brings one up to date on request.
 */
export class DocumentDiagnostics {
  private readonly pieces = new Map<string, RegionDiagnostics[]>();
  private readonly byRegion = new WeakMap<Region, RegionDiagnostics>();
  private readonly byMachine = new WeakMap<MachineDecl, MachineEntry>();
  private readonly folding = new Map<string, InheritedFolding>();
  /** The version of each document last analysed. */
  private readonly analysed = new Map<string, ParsedDocument>();
  /** Per document, how its pieces find its current version (one closure, holding only the URI). */
  private readonly documentGetters = new Map<string, () => ParsedDocument>();
  /** Where each document's last analysis left off (what the next one may keep). */
  private readonly lastAnalysis = new Map<string, LastAnalysis>();
  /** Machines checked since construction (for tests and benchmarks). */
  checked = 0;
  /** Regions whose pieces analyses looked up since construction (for tests and benchmarks). */
  regionsVisited = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly kb: KnowledgeBase,
    private readonly options: AnalysisOptions,
    private readonly check: MachineChecker,
  ) {}

  forget(uri: string): void {
    this.pieces.delete(uri);
    this.folding.delete(uri);
    this.lastAnalysis.delete(uri);
    this.analysed.delete(uri);
    this.documentGetters.delete(uri);
  }

  /** The document's pieces, in text order, each up to date. */
  analyse(doc: ParsedDocument): RegionDiagnostics[] {
    this.analysed.set(doc.uri, doc);
    const previous = this.pieces.get(doc.uri);
    const last = this.lastAnalysis.get(doc.uri);
    const changed = previous && last ? changedRegions(doc, last, this.workspace) : undefined;
    const out = changed ? this.analyseChanged(doc, previous!, last!, changed) : this.analyseAll(doc);
    this.pieces.set(doc.uri, out);
    return out;
  }

  /** Every region of the document: each piece found again, refreshed, folded and placed. */
  private analyseAll(doc: ParsedDocument): RegionDiagnostics[] {
    const silenced = Suppressions.of(doc);
    const moved = movedSince(this.lastAnalysis.get(doc.uri)?.serial, doc.tree);
    const counts = new Map<string, number>();
    const out: RegionDiagnostics[] = [];
    // Pieces made anew in this analysis: each takes over the version of the piece of its id before.
    const rebuilt: RegionDiagnostics[] = [];
    const indexOf = new WeakMap<MachineDecl, number>();
    const volatile = new Set<number>();
    for (const region of doc.tree.regions) {
      const { piece, made } = this.pieceOf(doc, region);
      const name = region.machines.find((m) => m.name)?.name?.text ?? (region.machines.length ? '#unnamed' : '#before');
      // Counted only for names the workspace defines more than once (rare): no map of every name per edit.
      let n = 1;
      if (name[0] === '#' || this.workspace.definitions(name).length > 1) counts.set(name, (n = (counts.get(name) ?? 0) + 1));
      piece.id = n > 1 ? `${name}#${n}` : name;
      piece.refresh(doc, silenced, moved);
      for (const m of region.machines) indexOf.set(m, out.length);
      if (piece.volatile) volatile.add(out.length);
      out.push(piece);
      if (made) rebuilt.push(piece);
    }
    const replaced = predecessors(rebuilt, this.pieces.get(doc.uri) ?? []);
    if (this.options.inherited === 'once') this.foldingOf(doc.uri).apply(doc, out, (decl) => this.byMachine.get(decl));
    else for (const piece of out) piece.fold();
    for (const piece of out) {
      piece.finish();
      const before = replaced.get(piece);
      if (before && before !== piece) piece.adopt(before);
    }
    this.lastAnalysis.set(doc.uri, { serial: doc.tree.serial, generation: this.workspace.generation, text: doc.text, regions: doc.tree.regions, volatile, indexOf, suppressions: silenced });
    return out;
  }

  /**
   * Only the regions an edit can have changed (checks/changed-regions.ts); the other
   * pieces keep their findings. Ids are as before (the edit kept the machines' names).
   * When it kept the line count, the silenced lines and every other piece's place are
   * as before too; when it did not, the silenced lines are found again and every
   * piece is placed again (most only move).
   */
  private analyseChanged(doc: ParsedDocument, previous: RegionDiagnostics[], last: LastAnalysis, changed: Set<number>): RegionDiagnostics[] {
    const moved = movedSince(last.serial, doc.tree);
    const linesMoved = doc.tree.changes[doc.tree.changes.length - 1].lineDelta !== 0;
    const suppressions = linesMoved ? Suppressions.of(doc) : last.suppressions;
    const out = previous.slice();
    // Each rebuilt piece replaces the piece of its region's index (ids are as before).
    const replaced = new Map<RegionDiagnostics, RegionDiagnostics>();
    const refreshed = new Set<RegionDiagnostics>();
    const volatile = new Set(last.volatile);
    for (const i of changed) {
      const { piece, made } = this.pieceOf(doc, doc.tree.regions[i]);
      piece.id = previous[i].id;
      piece.refresh(doc, suppressions, moved);
      refreshed.add(piece);
      if (piece.volatile) volatile.add(i);
      else volatile.delete(i);
      out[i] = piece;
      if (made) replaced.set(piece, previous[i]);
    }
    if (linesMoved) {
      // Every piece takes the silenced lines found again. A piece whose own silenced lines
      // changed although it was not re-parsed (a comment at the end of the edited region
      // silenced its first line, and a line break came between) shows other findings now,
      // which the families of the edited regions do not cover: analyse the whole document.
      for (const piece of out) {
        if (refreshed.has(piece)) continue;
        const was = piece.unfolded;
        piece.refresh(doc, suppressions, moved);
        refreshed.add(piece);
        if (piece.unfolded !== was) return this.analyseAll(doc);
      }
    }
    let touched: Iterable<RegionDiagnostics>;
    if (this.options.inherited === 'once') {
      touched = this.foldingOf(doc.uri).update(doc, out, previous, changed, (decl) => this.byMachine.get(decl));
    } else {
      touched = mapped([...changed], (i) => out[i]);
      for (const piece of touched) piece.fold();
    }
    // Folding may have reached pieces this analysis did not refresh; with the line count
    // changed, every piece below the edit (and any pointing there) has moved.
    for (const piece of linesMoved ? out : touched) {
      if (!refreshed.has(piece)) piece.refresh(doc, suppressions, moved);
      piece.finish();
      const before = replaced.get(piece);
      if (before && before !== piece) piece.adopt(before);
    }
    this.lastAnalysis.set(doc.uri, { ...last, serial: doc.tree.serial, generation: this.workspace.generation, text: doc.text, regions: doc.tree.regions, volatile, suppressions });
    return out;
  }

  /** The region's piece: the one it had, or a new one when its machines' entries changed. */
  private pieceOf(doc: ParsedDocument, region: Region): { piece: RegionDiagnostics; made: boolean } {
    this.regionsVisited++;
    const piece = this.byRegion.get(region);
    const entries = this.entriesOf(doc, region, piece);
    if (piece && entries === piece.entries) return { piece, made: false };
    const all = this.syntax(doc, region);
    for (const e of entries) for (const s of e.findings) all.push(s);
    all.sort(byPlace);
    const made = new RegionDiagnostics(region, entries, all, this.documentOf(doc.uri), this.workspace);
    this.byRegion.set(region, made);
    return { piece: made, made: true };
  }

  private foldingOf(uri: string): InheritedFolding {
    let folding = this.folding.get(uri);
    if (!folding) this.folding.set(uri, (folding = new InheritedFolding()));
    return folding;
  }

  /** The region's machine entries: the piece's own array when every entry is the same as before. */
  private entriesOf(doc: ParsedDocument, region: Region, piece: RegionDiagnostics | undefined): MachineEntry[] {
    const machines = region.machines;
    let same = !!piece && piece.entries.length === machines.length;
    let fresh: MachineEntry[] | undefined;
    for (let i = 0; i < machines.length; i++) {
      const entry = this.machine(doc, machines[i]);
      if (same && entry === piece!.entries[i]) continue;
      if (!fresh) fresh = same ? piece!.entries.slice(0, i) : [];
      same = false;
      fresh.push(entry);
    }
    return same ? piece!.entries : fresh ?? [];
  }

  /**
   * How a piece finds the current version of its document: never the version it was
   * made for, which it would keep alive (with its tree, and the refs into that tree)
   * for as long as the piece lives.
   */
  private documentOf(uri: string): () => ParsedDocument {
    let get = this.documentGetters.get(uri);
    if (!get) this.documentGetters.set(uri, (get = () => this.workspace.document(uri) ?? this.analysed.get(uri)!));
    return get;
  }

  /** A machine's findings that are shown on a base it inherits them from (`inherited: once`), as of the last analysis. */
  folded(doc: ParsedDocument, decl: MachineDecl): Array<Pick<Stored, 'code' | 'severity' | 'message'>> {
    const entry = this.byMachine.get(decl);
    const region = doc.tree.regions.find((r) => r.machines.includes(decl));
    const piece = region && this.byRegion.get(region);
    return entry && piece ? entry.findings.filter((s) => piece.isFolded(s)) : [];
  }

  private machine(doc: ParsedDocument, decl: MachineDecl): MachineEntry {
    if (!decl.name) return EMPTY;
    const ref = { doc, decl, name: decl.name.text };
    const resolution = this.workspace.resolve(ref);
    const cached = this.byMachine.get(decl);
    if (cached && cached.reusable && cached.resolution === resolution && cached.budget.every((q) => maySuggest(doc.tree, q.kind, decl.start + q.at, q.limit) === q.answer)) return cached;
    this.checked++;
    const ctx = new MachineContext(this.kb, this.workspace, doc, ref, resolution, this.options.hostKernelFloor, this.options.inherited === 'once');
    const found = this.check(ctx);
    let reusable = !ctx.askedOutside && !resolution.cycle && !resolution.missingBase && this.workspace.definitions(ref.name).filter((r) => r.name === ref.name).length <= 1;
    // The same findings as last time (checks/reuse.ts): the entry stands, for the new resolution.
    if (cached && found === cached.found && reusable && cached.reusable && sameChain(cached.resolution!, resolution)) {
      cached.resolution = resolution;
      cached.budget = ctx.budgetQueries;
      return cached;
    }
    // A finding the checks handed back again (checks/reuse.ts) is stored as it was: its places,
    // relative to this machine or to the syntax nodes they point at, still hold.
    const before = cached && storedByFinding(cached);
    const stored: Array<Stored | typeof SILENT | undefined> = [];
    const findings: Stored[] = [];
    for (const f of found) {
      if (WORKSPACE_DEPENDENT.has(f.code)) reusable = false;
      const s = before?.get(f) ?? this.store(doc, f, decl);
      const fixed = s !== SILENT && countedFromStart(s);
      stored.push(fixed ? undefined : s);
      if (s === SILENT) continue;
      if (fixed) reusable = false;
      findings.push(s);
    }
    const entry = { resolution, found, stored, findings, reusable, budget: ctx.budgetQueries };
    this.byMachine.set(decl, entry);
    return entry;
  }

  /** A finding as stored: severity applied, places relative to the machine they lie in. */
  private store(doc: ParsedDocument, f: Finding, decl: MachineDecl): Stored | typeof SILENT {
    const severity = this.options.severity?.[f.code] ?? CODES[f.code].severity;
    if (severity === 'off') return SILENT;
    const fixesInside = !f.fixes?.some((x) => hasSpan(x) && !inside(x.span, decl));
    const own = inside(f.span, decl) && fixesInside ? decl : FIXED;
    const at = anchored(doc.uri, own, f.span);
    const related = f.related && mapped(f.related, (r) => ({ ...anchored(r.uri, this.relatedAnchor(r, decl), r.span), message: r.message }));
    const fixes = f.fixes && (f.fixes.some(hasSpan) ? mapped(f.fixes, (x) => (hasSpan(x) ? { ...x, span: shift(x.span, -own.start) } : x)) : f.fixes);
    return { code: f.code, severity, message: f.message, at, related, fixes, tags: f.tags, cause: f.cause };
  }

  /**
   * What a related place is kept relative to: in the finding's own machine, the machine;
   * in another, the syntax node itself. That machine may be parsed again while this one
   * keeps its findings (an edit in its description: model/workspace.ts), and its nodes
   * then move within it; a node moves with its region wherever it goes.
   */
  private relatedAnchor(r: RelatedInfo, decl: MachineDecl): Span {
    const owner = this.workspace.machineAt(r.uri, r.span);
    if (!owner || !inside(r.span, owner)) return FIXED;
    if (owner === decl) return owner;
    return r.span instanceof Placed ? r.span : FIXED;
  }

  private syntax(doc: ParsedDocument, region: Region): Stored[] {
    const out: Stored[] = [];
    for (const d of region.diagnostics) {
      const severity = this.options.severity?.[d.code] ?? CODES[d.code].severity;
      if (severity === 'off') continue;
      const keyword = d.code === 'MT002' && d.word ? keywordFixes(doc, d) : undefined;
      const fixes = keyword && mapped(keyword, (x) => ('span' in x ? { ...x, span: shift(x.span, -region.start) } : x));
      out.push({ code: d.code, severity, message: d.message, at: { uri: doc.uri, anchor: region, start: d.start - region.start, end: d.end - region.start }, fixes });
    }
    return out;
  }
}

type LastAnalysis = AnalysedState & { suppressions: Suppressions };

/**
 * The piece of the same id in the previous analysis, for each rebuilt piece. A keystroke
 * rebuilds one or two pieces: they are looked up in the list; more (a paste, a new
 * version from disk) make a map of the list.
 */
function predecessors(rebuilt: readonly RegionDiagnostics[], before: readonly RegionDiagnostics[]): Map<RegionDiagnostics, RegionDiagnostics | undefined> {
  const out = new Map<RegionDiagnostics, RegionDiagnostics | undefined>();
  if (rebuilt.length <= 4) {
    for (const piece of rebuilt) out.set(piece, before.find((p) => p.id === piece.id));
    return out;
  }
  const byId = new Map<string, RegionDiagnostics>();
  for (const p of before) if (!byId.has(p.id)) byId.set(p.id, p);
  for (const piece of rebuilt) out.set(piece, byId.get(piece.id));
  return out;
}

/** Whether two resolutions of a machine have the same chain (by document and name): what folding groups entries by (fold.ts). */
function sameChain(a: ResolvedMachine, b: ResolvedMachine): boolean {
  if (a.chain.length !== b.chain.length) return false;
  for (let i = 0; i < a.chain.length; i++) if (a.chain[i].name !== b.chain[i].name || a.chain[i].doc.uri !== b.chain[i].doc.uri) return false;
  return true;
}

/** Whether two fold outcomes are the same objects in the same order. */
function sameFold(was: { away?: readonly Stored[]; extra?: ReadonlyMap<Stored, readonly StoredRelated[]> }, away?: readonly Stored[], extra?: ReadonlyMap<Stored, readonly StoredRelated[]>): boolean {
  if ((was.away?.length ?? 0) !== (away?.length ?? 0) || (was.extra?.size ?? 0) !== (extra?.size ?? 0)) return false;
  if (away) for (let i = 0; i < away.length; i++) if (away[i] !== was.away![i]) return false;
  if (extra) {
    for (const [carrier, list] of extra) {
      const before = was.extra!.get(carrier);
      if (!before || before.length !== list.length) return false;
      for (let i = 0; i < list.length; i++) if (list[i] !== before[i]) return false;
    }
  }
  return true;
}

const EMPTY: MachineEntry = { resolution: undefined, found: [], stored: [], findings: [], reusable: true, budget: [] };
const SILENT = Symbol('silent');

/** Whether a stored finding has a place counted from the document's start (`FIXED`), which any edit above moves. */
/** The stored form of each finding of an entry that may be kept. */
function storedByFinding(entry: MachineEntry): Map<Finding, Stored | typeof SILENT> {
  const out = new Map<Finding, Stored | typeof SILENT>();
  entry.found.forEach((f, i) => {
    const s = entry.stored[i];
    if (s !== undefined) out.set(f, s);
  });
  return out;
}

/** The fixes that edit a place of the text (by kind: a read of one field, where `'span' in` would meet every shape of fix). */
function hasSpan(x: FixIntent): x is Extract<FixIntent, { span: Span }> {
  return x.kind === 'replace' || x.kind === 'remove';
}

function countedFromStart(stored: Stored): boolean {
  return stored.at.anchor === FIXED || (stored.related?.some((r) => r.anchor === FIXED) ?? false);
}

function inside(span: Span, decl: MachineDecl): boolean {
  return decl.start <= span.start && span.end <= decl.end;
}

function anchored(uri: string, anchor: Span, span: Span): Anchored {
  return { uri, anchor, start: span.start - anchor.start, end: span.end - anchor.start };
}

function absolute(a: Anchored): number {
  return a.anchor.start + a.start;
}

function spanOf(a: Anchored): Span {
  return { start: a.anchor.start + a.start, end: a.anchor.start + a.end };
}

function shift(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

/** Text order, as a fresh analysis sorts: start, end, code, message. */
function byPlace(a: Stored, b: Stored): number {
  const as = absolute(a.at);
  const bs = absolute(b.at);
  if (as !== bs) return as - bs;
  const ae = a.at.anchor.start + a.at.end;
  const be = b.at.anchor.start + b.at.end;
  if (ae !== be) return ae - be;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : 1;
}

/** Whether two lists send the same: codes, severities, messages, ranges, tags and related places (not offsets or fixes). */
function sameSent(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.code !== y.code || x.severity !== y.severity || x.message !== y.message || !sameRange(x.range, y.range)) return false;
    if (!sameList(x.tags, y.tags, (p, q) => p === q)) return false;
    if (!sameList(x.related, y.related, (p, q) => p.uri === q.uri && p.message === q.message && sameRange(p.range, q.range))) return false;
  }
  return true;
}

/** Lists equal item by item; a missing list differs from an empty one (it is sent differently). */
function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The flat list of a document's diagnostics, in text order. */
export function flatten(pieces: readonly DiagnosticsPiece[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of pieces) for (const d of p.diagnostics) out.push(d);
  for (let i = 1; i < out.length; i++) {
    if (compareDiagnostics(out[i - 1], out[i]) > 0) return out.sort(compareDiagnostics);
  }
  return out;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
