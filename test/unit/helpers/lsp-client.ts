/**
 * A minimal LSP client for protocol tests: starts the bundled server over stdio,
 * records pushed diagnostics, and lets tests wait for a publish that satisfies a
 * condition (with a deadline that fails the test instead of hanging it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

/** Tests run from out/test/, two levels below the repository root. */
export const SERVER = resolve(__dirname, '../../server/out/server.js');

export interface LspDiagnostic {
  code: string;
  message: string;
  severity: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

interface Waiter {
  uri: string;
  since: number;
  accept: (d: LspDiagnostic[]) => boolean;
  resolve: (d: LspDiagnostic[]) => void;
}

export class TestClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  /** Every publish, in arrival order. */
  readonly published: Array<{ uri: string; diagnostics: LspDiagnostic[] }> = [];
  private waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();

  constructor() {
    this.child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: LspDiagnostic[] }) => {
      this.published.push(p);
      const index = this.published.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || index < w.since || !w.accept(p.diagnostics)) return true;
        w.resolve(p.diagnostics);
        return false;
      });
    });
    // The server may ask things of the client (e.g. diagnostic refresh); answer politely.
    this.connection.onRequest(() => null);
    this.connection.listen();
  }

  async initialize(rootPath?: string, capabilities: object = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const workspaceFolders = rootPath ? [{ uri: pathToFileURL(rootPath).href, name: 'ws' }] : null;
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: workspaceFolders?.[0].uri ?? null,
      workspaceFolders,
      capabilities: { textDocument: { rename: { prepareSupport: true } }, ...capabilities },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  /** Marks the current end of the publish log: later waits only see publishes after it. */
  mark(): number {
    return this.published.length;
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mtype', version: 1, text } });
  }

  change(uri: string, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The diagnostics last published for `uri` (none yet: empty). */
  latest(uri: string): LspDiagnostic[] {
    return [...this.published].reverse().find((p) => p.uri === uri)?.diagnostics ?? [];
  }

  /** The first publish for `uri` at or after `since` that `accept`s; fails after `ms`. */
  diagnostics(uri: string, accept: (d: LspDiagnostic[]) => boolean = () => true, since = 0, ms = 10000): Promise<LspDiagnostic[]> {
    for (let i = since; i < this.published.length; i++) {
      const p = this.published[i];
      if (p.uri === uri && accept(p.diagnostics)) return Promise.resolve(p.diagnostics);
    }
    return new Promise((resolvePromise, reject) => {
      const waiter: Waiter = { uri, since, accept, resolve: (d) => (clearTimeout(timer), resolvePromise(d)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = [...this.published].reverse().find((p) => p.uri === uri);
        reject(new Error(`no matching diagnostics for ${uri} within ${ms} ms; last: ${JSON.stringify(last?.diagnostics.map((d) => d.code))}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    this.child.kill();
  }
}

/** Applies LSP text edits (any order, no overlaps) to a text. */
export { applyRangeEdits } from './text-position';
