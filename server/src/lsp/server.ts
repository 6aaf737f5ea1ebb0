/**
 * The LSP adapter: wires the protocol to the project and the services. It owns
 * transport concerns only — document sync, debouncing, push or pull diagnostics,
 * settings — and never decides anything about machine types.
 */
import {
  TextDocuments,
  TextDocumentSyncKind,
  DocumentDiagnosticReportKind,
  FileChangeType,
  PublishDiagnosticsNotification,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { sep } from 'node:path';
import { getKnowledgeBase } from '../kb/knowledge-base';
import { settleShapes } from '../services/settle-shapes';
import { compileBaselineOnFirstCall } from './baseline-code';
import { Project } from '../services/project';
import { documentSymbols, foldingRanges } from '../services/symbols';
import type { Diagnostic, SeverityOverrides } from '../common/diagnostic';
import { isCode } from '../common/diagnostic';
import { isVersion } from '../common/version';
import { toDocumentSymbol, toLspDiagnostic } from './convert';
import { AdaptiveDebounce, fixedDebounce } from './debounce';
import { DiagnosticEncoder } from './diagnostic-encoding';
import { JsonParts, RawJson } from './wire';
import { MAX_DOCUMENT_CHARS, isWorkspaceMtype, readFileText, uriToPath } from './files';
import { WorkspaceIndexer } from './indexing';
import { editorCapabilities, registerEditorFeatures } from './editor-features';
import { registerBenchStats } from './bench-stats';
import { collectAll, collectYoungIfFull } from './idle-gc';

/**
 * What the editor shows before (or without) settings: one finding per cause, so a
 * base's fault is one squiggle with the machines that inherit it listed, not one per
 * machine of the chain (the command line reports per machine type unless told).
 */
const EDITOR_DEFAULTS = { inherited: 'once' } as const;

/** Analysis time since the last idle moment after which that moment collects the whole heap (lsp/idle-gc.ts). */
const FULL_COLLECTION_AFTER_MS = 100;

/** What a pull client was last told about a document. */
interface Report {
  resultId: string;
  json: JsonParts;
}

export interface ServerSettings {
  severity: SeverityOverrides;
}

export class MtypeSession {
  readonly project = new Project(getKnowledgeBase(), EDITOR_DEFAULTS);
  readonly documents = new TextDocuments(TextDocument);
  pullDiagnostics = false;
  private pending = new Set<string>();
  /** Documents set again since the last flush (push re-publishes them with their version). */
  private edited = new Set<string>();
  /** Documents whose text really changed since the last flush: a pull client pulls those itself. */
  private typed = new Set<string>();
  /** Cancels the flush that is scheduled, if one is. */
  private cancelFlush: (() => void) | undefined;
  private readonly debounce = new AdaptiveDebounce(fixedDebounce(process.env.MTYPE_DEBOUNCE_MS));
  private encoder = new DiagnosticEncoder();
  /** Push: the diagnostics JSON last published per open document. */
  private readonly published = new Map<string, JsonParts>();
  /** Pull: the last report per document, by result id. */
  private readonly reports = new Map<string, Report>();
  private canFetchConfiguration = false;
  /** Workspace folders as paths: the only places files are read from. */
  roots: string[] = [];
  /** The client sends workspace/didChangeWorkspaceFolders. */
  workspaceFolderEvents = false;

  /** Workspace folders given at initialize, indexed once the client says initialized. */
  initialFolders: string[] = [];
  /** When the last diagnostics were computed, and how long they took (mtype/status). */
  lastCheck: { at: string; ms: number; uri: string } | undefined;
  private readonly checkResults = new WeakSet<object>();
  readonly indexer: WorkspaceIndexer;

  constructor(readonly connection: Connection) {
    this.indexer = new WorkspaceIndexer(connection, {
      add: (uri, text) => {
        if (this.documents.get(uri)) return; // the editor's copy wins over the disk
        for (const d of this.project.update(uri, text)) this.pending.add(d);
      },
      done: () => {
        for (const doc of this.documents.all()) this.pending.add(doc.uri);
        this.schedule();
      },
    });
  }

  initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.pullDiagnostics = !!caps.textDocument?.diagnostic;
    // Related information and code links only to a client that takes them (VS Code takes both,
    // Neovim related information): they are a large part of every answer, and a client without
    // them would drop them unread.
    const diagnosticCaps = caps.textDocument?.diagnostic as { relatedInformation?: boolean; codeDescriptionSupport?: boolean } | undefined;
    const publish = caps.textDocument?.publishDiagnostics;
    this.encoder = new DiagnosticEncoder({
      related: publish?.relatedInformation === true || diagnosticCaps?.relatedInformation === true,
      codeDescription: publish?.codeDescriptionSupport === true || diagnosticCaps?.codeDescriptionSupport === true,
    });
    this.canFetchConfiguration = !!caps.workspace?.configuration;
    this.workspaceFolderEvents = !!caps.workspace?.workspaceFolders;
    this.initialFolders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    for (const uri of this.initialFolders) {
      const root = uriToPath(uri);
      if (root) this.roots.push(root);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        documentSymbolProvider: { label: 'mtype' },
        foldingRangeProvider: true,
        // workspace/diagnostic is answered (with result ids) but not advertised: checking every
        // closed file of a large workspace up front costs more than it shows.
        diagnosticProvider: this.pullDiagnostics ? { interFileDependencies: true, workspaceDiagnostics: false, identifier: 'mtype' } : undefined,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        ...editorCapabilities(params),
      },
      serverInfo: { name: 'mtype', version: '0.1.0' },
    };
  }

  /** Loads every .mtype file of the workspace folders in the background, so bases in closed files resolve. */
  scanFolders(uris: string[]): Promise<void> {
    for (const uri of uris) {
      const root = uriToPath(uri);
      if (root && !this.roots.includes(root)) this.roots.push(root);
    }
    return this.indexer.index(uris);
  }

  /** Folders added or removed after start-up: scan the new ones, forget the closed files of the old. */
  changeFolders(added: string[], removed: string[]): void {
    for (const uri of removed) {
      const root = uriToPath(uri);
      if (!root) continue;
      this.roots = this.roots.filter((r) => r !== root);
      for (const doc of [...this.project.workspace.documents]) {
        const path = uriToPath(doc.uri);
        if (!path || this.documents.get(doc.uri) || isWorkspaceMtype(path, this.roots)) continue;
        if (path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)) {
          for (const d of this.project.remove(doc.uri)) this.pending.add(d);
        }
      }
    }
    void this.scanFolders(added); // the indexer marks the new files and the open documents for a check
    for (const doc of this.documents.all()) this.pending.add(doc.uri);
    this.schedule();
  }

  /** The text of a document changed (opened, edited, or changed on disk). */
  setText(uri: string, text: string, version: number): void {
    const started = performance.now();
    // Before the first open document is analysed, not at start: indexing a workspace needs none of it (services/settle-shapes.ts).
    if (!this.settled) {
      this.settled = true;
      // From here on functions start as baseline code (lsp/baseline-code.ts): a workspace only indexed keeps its RSS.
      compileBaselineOnFirstCall();
      settleShapes(this.project.kb);
    }
    if (this.project.document(uri)?.text !== text) this.typed.add(uri);
    if (text.length > MAX_DOCUMENT_CHARS) {
      // Its machines leave the workspace: documents extending them must be re-checked too.
      for (const d of this.project.remove(uri)) this.pending.add(d);
      this.oversized.add(uri);
    } else {
      this.oversized.delete(uri);
      for (const d of this.project.update(uri, text, version)) this.pending.add(d);
    }
    this.pending.add(uri);
    this.edited.add(uri);
    this.busySinceIdle += performance.now() - started;
    this.schedule();
  }

  readonly oversized = new Set<string>();
  /** Whether the warm-up edit session (services/settle-shapes.ts) has run. */
  private settled = false;

  closed(uri: string): void {
    // A closed file falls back to its text on disk (or leaves the workspace if it is gone).
    const path = uriToPath(uri);
    const text = path ? this.readWorkspaceFile(path) : undefined;
    if (text !== undefined && text.length <= MAX_DOCUMENT_CHARS) {
      for (const d of this.project.update(uri, text)) this.pending.add(d);
    } else {
      for (const d of this.project.remove(uri)) this.pending.add(d);
    }
    this.oversized.delete(uri);
    if (!this.pullDiagnostics) {
      this.connection.sendDiagnostics({ uri, diagnostics: [] });
      this.published.delete(uri);
    }
    this.reports.delete(uri);
    this.encoder.forget(uri);
    this.pending.delete(uri);
    this.edited.delete(uri);
    this.typed.delete(uri);
    this.schedule();
  }

  /** A file's text from disk, only for *.mtype files really inside a workspace folder. */
  readWorkspaceFile(path: string): string | undefined {
    return isWorkspaceMtype(path, this.roots) ? readFileText(path) : undefined;
  }

  diagnosticsFor(uri: string): Diagnostic[] {
    if (this.oversized.has(uri)) {
      const at = { line: 0, character: 0 };
      return [
        {
          code: 'MT001',
          severity: 'error',
          message: `file is larger than ${MAX_DOCUMENT_CHARS / 1024 / 1024} MiB of text; mtype does not analyse it`,
          range: { start: at, end: at },
          span: { start: 0, end: 0 },
        },
      ];
    }
    const started = performance.now();
    this.noteCheck(uri, this.project.diagnosticsByMachine(uri), started);
    return this.project.diagnostics(uri);
  }

  private schedule(): void {
    const waiting = this.cancelFlush !== undefined;
    this.cancelFlush?.();
    const delay = this.debounce.next(waiting);
    // A timer of 0 ms waits 1 ms in Node; an immediate runs as soon as the messages already read are handled.
    if (delay === 0) {
      const immediate = setImmediate(() => this.flush());
      this.cancelFlush = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(() => this.flush(), delay);
      this.cancelFlush = () => clearTimeout(timeout);
    }
  }

  /** A document's diagnostics as JSON text (only what changed is encoded again, lsp/diagnostic-encoding.ts). */
  encodedDiagnostics(uri: string): JsonParts {
    if (this.oversized.has(uri)) return JsonParts.of(JSON.stringify(this.diagnosticsFor(uri).map((d) => toLspDiagnostic(d))));
    const started = performance.now();
    const pieces = this.project.diagnosticsByMachine(uri);
    this.noteCheck(uri, pieces, started);
    const json = this.encoder.encode(uri, pieces, this.project.diagnosticsGeneration(uri));
    this.busySinceIdle += performance.now() - started;
    return json;
  }

  /** A fresh analysis (a cached answer is the same array again) is the "last check" (mtype/status). */
  private noteCheck(uri: string, result: object, started: number): void {
    if (this.checkResults.has(result)) return;
    this.checkResults.add(result);
    this.lastCheck = { at: new Date().toISOString(), ms: Math.round((performance.now() - started) * 100) / 100, uri };
  }

  /**
   * Publishes (push) the diagnostics that changed, or (pull) asks for a refresh
   * when a document the client pulled before, other than those whose text it just
   * changed, now has other diagnostics. The client pulls an edited document itself.
   */
  flush(): void {
    this.cancelFlush = undefined;
    if (this.indexer.busy) return; // half an index gives false findings (unknown bases): wait for its done()
    const uris = this.pending;
    const edited = this.edited;
    const typed = this.typed;
    this.pending = new Set();
    this.edited = new Set();
    this.typed = new Set();
    if (this.pullDiagnostics) {
      for (const uri of uris) {
        const report = this.reports.get(uri);
        if (typed.has(uri) || !report) continue;
        if (!this.encodedDiagnostics(uri).equals(report.json)) {
          this.connection.languages.diagnostics.refresh();
          break;
        }
      }
    } else {
      for (const uri of uris) {
        const doc = this.documents.get(uri);
        if (!doc) continue; // push only for open documents
        const json = this.encodedDiagnostics(uri);
        // An unchanged list is re-sent only with a new version (the client learns it is current).
        if (!edited.has(uri) && json.equals(this.published.get(uri))) continue;
        const params = { uri, version: doc.version, diagnostics: new RawJson(json) };
        void this.connection.sendNotification(PublishDiagnosticsNotification.method, params);
        this.published.set(uri, json);
      }
    }
  }

  /**
   * A full collection after a long analysis (a large file opened), else a young-generation
   * one (lsp/idle-gc.ts), unless an edit is waiting already: the stdio writer calls it once
   * a large answer is written out, while the editor reads it.
   */
  collectWhileIdle(): void {
    if (this.cancelFlush !== undefined) return;
    const busy = this.busySinceIdle;
    this.busySinceIdle = 0;
    if (busy < FULL_COLLECTION_AFTER_MS || !collectAll()) collectYoungIfFull();
  }

  /** Milliseconds spent analysing (text updates, diagnostics) since the last idle collection. */
  private busySinceIdle = 0;

  /** textDocument/diagnostic: the report, or `unchanged` when the client has it already. */
  pull(uri: string, previousResultId: string | undefined): DocumentDiagnosticReport {
    const json = this.encodedDiagnostics(uri);
    // The engine's generation moves exactly when what is sent changes; an oversized file always says the same.
    const report = { resultId: this.oversized.has(uri) ? 'oversized' : String(this.project.diagnosticsGeneration(uri)), json };
    this.reports.set(uri, report);
    if (previousResultId === report.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: report.resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId: report.resultId, items: new RawJson(json) as never };
  }

  /** workspace/diagnostic: every document of the project, `unchanged` where the client's result id is current. */
  pullWorkspace(previous: ReadonlyArray<{ uri: string; value: string }>): WorkspaceDocumentDiagnosticReport[] {
    const known = new Map(previous.map((p) => [p.uri, p.value]));
    const out: WorkspaceDocumentDiagnosticReport[] = [];
    for (const doc of this.project.workspace.documents) {
      const version = this.documents.get(doc.uri)?.version ?? null;
      out.push({ uri: doc.uri, version, ...this.pull(doc.uri, known.get(doc.uri)) } as WorkspaceDocumentDiagnosticReport);
    }
    return out;
  }

  async loadSettings(): Promise<void> {
    if (!this.canFetchConfiguration) return;
    try {
      const [config] = await this.connection.workspace.getConfiguration([{ section: 'mtype' }]);
      this.applySettings(config);
    } catch {
      // A client without configuration support keeps the defaults.
    }
  }

  applySettings(config: unknown): void {
    const severity: SeverityOverrides = {};
    const raw = (config as { severity?: Record<string, unknown> } | undefined)?.severity;
    if (raw && typeof raw === 'object') {
      for (const [code, level] of Object.entries(raw)) {
        if (isCode(code) && typeof level === 'string' && ['error', 'warning', 'information', 'hint', 'off'].includes(level)) {
          severity[code] = level as SeverityOverrides[typeof code];
        }
      }
    }
    const floor = (config as { hostKernelFloor?: unknown } | undefined)?.hostKernelFloor;
    const hostKernelFloor = typeof floor === 'string' && isVersion(floor.trim()) ? floor.trim() : undefined;
    const inherited = (config as { inheritedFindings?: unknown } | undefined)?.inheritedFindings === 'each' ? 'each' : 'once';
    this.project.setOptions({ severity, hostKernelFloor, inherited });
    for (const doc of this.documents.all()) this.pending.add(doc.uri);
    this.schedule();
  }
}

export function startServer(connection: Connection): MtypeSession {
  const session = new MtypeSession(connection);
  const { documents } = session;

  connection.onInitialize((params) => session.initialize(params));
  connection.onInitialized(() => {
    void session.loadSettings();
    void session.scanFolders(session.initialFolders);
    if (session.workspaceFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => session.changeFolders(e.added.map((f) => f.uri), e.removed.map((f) => f.uri)));
    }
  });
  connection.onDidChangeConfiguration((change) => {
    const settings = (change.settings as { mtype?: unknown } | undefined)?.mtype;
    if (settings) session.applySettings(settings);
    else void session.loadSettings();
  });

  documents.onDidOpen((e) => session.setText(e.document.uri, e.document.getText(), e.document.version));
  documents.onDidChangeContent((e) => session.setText(e.document.uri, e.document.getText(), e.document.version));
  documents.onDidClose((e) => session.closed(e.document.uri));

  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      if (documents.get(change.uri)) continue; // the editor's copy wins over the disk
      const path = uriToPath(change.uri);
      if (change.type === FileChangeType.Deleted || !path) {
        for (const d of session.project.remove(change.uri)) documents.get(d) && session.setText(d, documents.get(d)!.getText(), documents.get(d)!.version);
        continue;
      }
      const text = session.readWorkspaceFile(path);
      if (text !== undefined && text.length <= MAX_DOCUMENT_CHARS) session.project.update(change.uri, text);
      else session.project.remove(change.uri); // unreadable or too large now: its old text must not linger
    }
    for (const doc of documents.all()) session.setText(doc.uri, doc.getText(), doc.version);
  });

  // Answered once the workspace is indexed (see flush).
  connection.languages.diagnostics.on(async (params) => {
    await session.indexer.idle();
    return session.pull(params.textDocument.uri, params.previousResultId);
  });
  connection.languages.diagnostics.onWorkspace(async (params) => {
    await session.indexer.idle();
    return { items: session.pullWorkspace(params.previousResultIds) };
  });

  connection.onDocumentSymbol((params) => {
    const doc = session.project.document(params.textDocument.uri);
    return doc ? documentSymbols(doc).map(toDocumentSymbol) : [];
  });
  connection.onFoldingRanges((params) => {
    const doc = session.project.document(params.textDocument.uri);
    return doc ? foldingRanges(doc) : [];
  });

  registerEditorFeatures(session);
  registerBenchStats(connection);
  documents.listen(connection);
  connection.listen();
  return session;
}
