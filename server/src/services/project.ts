/**
 * A project: the workspace plus cached analysis. Editors and the CLI feed it
 * text; it answers diagnostics per document, re-analysing only documents whose
 * machines (or their bases) changed since they were last analysed.
 */
import type { AnalysisOptions } from '../checks/index';
import { analyseDocument } from '../checks/index';
import type { Diagnostic } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import { Workspace } from '../model/workspace';
import { MachineFindingsCache } from '../checks/machine-cache';

export class Project {
  readonly workspace = new Workspace();
  private readonly cache = new Map<string, Diagnostic[]>();
  private options: AnalysisOptions = {};
  /** Per-machine findings reused across edits of a document (checks/machine-cache.ts). */
  private readonly machineCache = new MachineFindingsCache();

  constructor(readonly kb: KnowledgeBase) {}

  setOptions(options: AnalysisOptions): void {
    this.options = options;
    this.cache.clear();
    this.machineCache.clear();
  }

  /** Sets a document's text; returns the URIs whose diagnostics may have changed. */
  update(uri: string, text: string, version = 0): Set<string> {
    this.workspace.setDocument(uri, text, version);
    return this.collectDirty();
  }

  remove(uri: string): Set<string> {
    this.workspace.removeDocument(uri);
    this.cache.delete(uri);
    const dirty = this.collectDirty();
    dirty.delete(uri);
    return dirty;
  }

  document(uri: string): ParsedDocument | undefined {
    return this.workspace.document(uri);
  }

  diagnostics(uri: string): Diagnostic[] {
    const cached = this.cache.get(uri);
    if (cached) return cached;
    const doc = this.workspace.document(uri);
    if (!doc) return [];
    const result = analyseDocument(doc, this.workspace, this.kb, this.options, this.machineCache);
    this.cache.set(uri, result);
    return result;
  }

  private collectDirty(): Set<string> {
    const dirty = this.workspace.takeDirty();
    for (const uri of dirty) this.cache.delete(uri);
    return dirty;
  }
}
