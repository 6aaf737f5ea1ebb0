/**
 * A project: the workspace plus its analysis. Editors and the CLI feed it text;
 * it answers each document's final diagnostics, per region of the text (in
 * practice per machine: `diagnosticsByMachine`) or as one list. Only machines
 * whose text or bases changed are checked again (checks/document-diagnostics.ts).
 */
import { machineChecker, type AnalysisOptions, type ReuseCounts } from '../checks/index';
import { DocumentDiagnostics, flatten, type DiagnosticsPiece } from '../checks/document-diagnostics';
import type { Diagnostic } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { MachineRef } from '../model/resolve';
import { Workspace } from '../model/workspace';

export type { DiagnosticsPiece };

export class Project {
  readonly workspace = new Workspace();
  private options: AnalysisOptions;
  private analysis: DocumentDiagnostics;
  /** Documents whose pieces are up to date, with their flat list once asked for. */
  private readonly current = new Map<string, { pieces: DiagnosticsPiece[]; flat?: Diagnostic[] }>();
  /** Per document: the pieces' ids and versions last answered, and a generation that moves when they change. */
  private readonly generations = new Map<string, { ids: string[]; versions: number[]; generation: number }>();
  private nextGeneration = 1;

  constructor(readonly kb: KnowledgeBase, options: AnalysisOptions = {}) {
    this.options = options;
    this.analysis = new DocumentDiagnostics(this.workspace, kb, this.options, machineChecker(this.reuse));
  }

  /** Checks that kept a machine's last findings, and checks that could have but ran, so far (checks/reuse.ts; for tests and benchmarks). */
  readonly reuse: ReuseCounts = { kept: 0, run: 0, same: 0, rejudged: 0 };

  /** Machines checked so far (a re-check shows here; for tests and benchmarks). */
  get machinesChecked(): number {
    return this.analysis.checked;
  }

  /** Regions the analyses looked at so far (a keystroke inside a machine: its region and its dependents'). */
  get regionsVisited(): number {
    return this.analysis.regionsVisited;
  }

  setOptions(options: AnalysisOptions): void {
    this.options = options;
    this.analysis = new DocumentDiagnostics(this.workspace, this.kb, options, machineChecker(this.reuse));
    this.current.clear();
  }

  /** Sets a document's text; returns the URIs whose diagnostics may have changed. */
  update(uri: string, text: string, version = 0): Set<string> {
    this.workspace.setDocument(uri, text, version);
    return this.collectDirty();
  }

  remove(uri: string): Set<string> {
    this.workspace.removeDocument(uri);
    this.current.delete(uri);
    this.generations.delete(uri);
    this.analysis.forget(uri);
    const dirty = this.collectDirty();
    dirty.delete(uri);
    return dirty;
  }

  document(uri: string): ParsedDocument | undefined {
    return this.workspace.document(uri);
  }

  /** What a machine inherits that is shown on its base instead (`inherited: once`): code, severity, message. */
  foldedFindings(ref: MachineRef): Array<{ code: string; severity: string; message: string }> {
    this.diagnosticsByMachine(ref.doc.uri);
    const doc = this.workspace.document(ref.doc.uri);
    return doc ? this.analysis.folded(doc, ref.decl) : [];
  }

  /**
   * The document's final diagnostics in pieces, one per region of the text (a
   * machine with the comments and blank lines after it), in text order. A piece
   * keeps its `version` while what it would send is unchanged, so a server can
   * re-encode only the pieces whose version moved.
   */
  diagnosticsByMachine(uri: string): readonly DiagnosticsPiece[] {
    let state = this.current.get(uri);
    if (!state) {
      const doc = this.workspace.document(uri);
      if (!doc) return [];
      state = { pieces: this.analysis.analyse(doc) };
      this.current.set(uri, state);
      const last = this.generations.get(uri);
      if (!last || !samePieces(last, state.pieces)) {
        this.generations.set(uri, { ids: state.pieces.map((p) => p.id), versions: state.pieces.map((p) => p.version), generation: this.nextGeneration++ });
      }
    }
    return state.pieces;
  }

  /**
   * A number that changes exactly when the document's diagnostics as sent change (a piece's
   * `version`, or the list of pieces): a pull-diagnostics `resultId`.
   */
  diagnosticsGeneration(uri: string): number {
    this.diagnosticsByMachine(uri);
    return this.generations.get(uri)?.generation ?? 0;
  }

  /** The document's final diagnostics as one list, in text order. */
  diagnostics(uri: string): Diagnostic[] {
    const pieces = this.diagnosticsByMachine(uri);
    const state = this.current.get(uri);
    if (!state) return [];
    return (state.flat ??= flatten(pieces));
  }

  private collectDirty(): Set<string> {
    const dirty = this.workspace.takeDirty();
    for (const uri of dirty) this.current.delete(uri);
    return dirty;
  }
}

/** Whether the pieces are, id by id, at the versions last answered. */
function samePieces(last: { ids: string[]; versions: number[] }, pieces: readonly DiagnosticsPiece[]): boolean {
  if (last.ids.length !== pieces.length) return false;
  for (let i = 0; i < pieces.length; i++) if (last.ids[i] !== pieces[i].id || last.versions[i] !== pieces[i].version) return false;
  return true;
}
