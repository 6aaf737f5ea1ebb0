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
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { sep } from 'node:path';
import { getKnowledgeBase } from '../kb/knowledge-base';
import { Project } from '../services/project';
import { documentSymbols, foldingRanges } from '../services/symbols';
import type { Diagnostic, SeverityOverrides } from '../common/diagnostic';
import { isCode } from '../common/diagnostic';
import { isVersion } from '../common/version';
import { toDocumentSymbol, toLspDiagnostic } from './convert';
import { MAX_DOCUMENT_CHARS, isWorkspaceMtype, readFileText, uriToPath } from './files';
import { WorkspaceIndexer } from './indexing';
import { editorCapabilities, registerEditorFeatures } from './editor-features';

/**
 * Diagnostics wait this long after the last keystroke (documented in docs/architecture.md).
 * MTYPE_DEBOUNCE_MS overrides it (0..1000), for benchmarks that measure the work alone.
 */
export const DEBOUNCE_MS = debounceFrom(process.env.MTYPE_DEBOUNCE_MS);

function debounceFrom(value: string | undefined): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : 25;
}

export interface ServerSettings {
  severity: SeverityOverrides;
}

export class MtypeSession {
  readonly project = new Project(getKnowledgeBase());
  readonly documents = new TextDocuments(TextDocument);
  pullDiagnostics = false;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly published = new Set<string>();
  private canFetchConfiguration = false;
  /** Workspace folders as paths: the only places files are read from. */
  roots: string[] = [];
  /** The client sends workspace/didChangeWorkspaceFolders. */
  workspaceFolderEvents = false;

  /** Workspace folders given at initialize, indexed once the client says initialized. */
  initialFolders: string[] = [];
  /** When the last diagnostics were computed, and how long they took (mtype/status). */
  lastCheck: { at: string; ms: number; uri: string } | undefined;
  private readonly checkResults = new WeakSet<Diagnostic[]>();
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
    if (text.length > MAX_DOCUMENT_CHARS) {
      // Its machines leave the workspace: documents extending them must be re-checked too.
      for (const d of this.project.remove(uri)) this.pending.add(d);
      this.oversized.add(uri);
    } else {
      this.oversized.delete(uri);
      for (const d of this.project.update(uri, text, version)) this.pending.add(d);
    }
    this.pending.add(uri);
    this.schedule();
  }

  readonly oversized = new Set<string>();

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
    this.pending.delete(uri);
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
    const result = this.project.diagnostics(uri);
    if (!this.checkResults.has(result)) {
      // a fresh analysis (a cached answer is the same array again): that is the "last check"
      this.checkResults.add(result);
      this.lastCheck = { at: new Date().toISOString(), ms: Math.round((performance.now() - started) * 100) / 100, uri };
    }
    return result;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Publishes (push) or announces (pull) the diagnostics that changed. */
  flush(): void {
    this.timer = undefined;
    if (this.indexer.busy) return; // half an index gives false findings (unknown bases): wait for its done()
    const uris = this.pending;
    this.pending = new Set();
    if (this.pullDiagnostics) {
      if (uris.size) this.connection.languages.diagnostics.refresh();
      return;
    }
    for (const uri of uris) {
      if (!this.documents.get(uri)) continue; // push only for open documents
      const version = this.documents.get(uri)?.version;
      this.connection.sendDiagnostics({ uri, version, diagnostics: this.diagnosticsFor(uri).map(toLspDiagnostic) });
      this.published.add(uri);
    }
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
    this.project.setOptions({ severity, hostKernelFloor });
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

  connection.languages.diagnostics.on(async (params) => {
    await session.indexer.idle(); // answered once the workspace is indexed (see flush)
    return { kind: DocumentDiagnosticReportKind.Full, items: session.diagnosticsFor(params.textDocument.uri).map(toLspDiagnostic) };
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
  documents.listen(connection);
  connection.listen();
  return session;
}
