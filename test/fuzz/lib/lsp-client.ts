/**
 * A minimal hand-written LSP client over stdio (Content-Length framing), so the
 * adversarial tests control every byte they send and can send what a
 * well-behaved client library never would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Message {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Message) => void>();
  readonly notifications: Message[] = [];
  private listeners: Array<() => void> = [];
  stderr = '';
  exited: number | null | undefined;

  constructor(serverPath: string, cwd: string) {
    this.child = spawn(process.execPath, [serverPath, '--stdio'], { cwd, stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.on('exit', (code) => (this.exited = code));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a request and resolves with the whole response (result or error); rejects after `timeoutMs`. */
  request(method: string, params: unknown, timeoutMs = 10_000): Promise<Message> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.response(id, method, timeoutMs);
  }

  /** Sends a request without waiting; returns its id (for `$/cancelRequest`). */
  requestId(method: string, params: unknown): number {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }

  response(id: number, what: string, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to ${what} within ${timeoutMs} ms${this.exited !== undefined ? ` (server exited: ${this.exited})` : ''}\n${this.stderr}`));
      }, timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification (already received or to come) that matches. */
  waitFor(predicate: (m: Message) => boolean, what: string, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.notifications.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(found);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`no ${what} within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  /** Writes raw bytes: for framing the server must survive. */
  sendRaw(bytes: string | Buffer): void {
    this.child.stdin.write(bytes);
  }

  send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  async shutdown(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      if (this.exited === undefined) this.child.kill();
    }
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: *(\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(m: Message): void {
    if (m.method !== undefined && m.id !== undefined) {
      // A request from the server (configuration, refresh, …): answer it so the server is never left waiting.
      this.send({ jsonrpc: '2.0', id: m.id, result: m.method === 'workspace/configuration' ? [null] : null });
      return;
    }
    if (m.method !== undefined) {
      this.notifications.push(m);
      for (const l of [...this.listeners]) l();
      return;
    }
    const handler = typeof m.id === 'number' ? this.waiting.get(m.id) : undefined;
    if (handler) {
      this.waiting.delete(m.id as number);
      handler(m);
    }
  }
}
