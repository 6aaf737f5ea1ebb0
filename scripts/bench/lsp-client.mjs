// A minimal LSP client over stdio for the benchmark: Content-Length framing,
// requests with promises, and a hook on every notification, timestamped on arrival
// and with its size on the wire (Content-Length, bytes).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export class LspClient {
  constructor(serverPath, env = {}, nodeArgs = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, serverPath, '--stdio'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    this.pid = this.proc.pid;
    this.nextId = 1;
    this.pending = new Map();
    this.onNotification = () => {};
    this.settings = undefined;
    this.chunks = [];
    this.buffered = 0;
    this.expected = undefined;
    this.proc.stdout.on('data', (chunk) => this.receive(chunk));
  }

  receive(chunk) {
    const now = performance.now();
    // Chunks are kept in a list and joined once a whole message is in, as
    // vscode-jsonrpc's reader does: concatenating on every chunk would copy a
    // multi-megabyte message once per 64 KiB pipe read.
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected === undefined) {
        const head = this.chunks.length === 1 ? this.chunks[0] : this.join();
        const headerEnd = head.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        this.expected = Number(/Content-Length: (\d+)/i.exec(head.subarray(0, headerEnd).toString('ascii'))[1]);
        this.chunks = [head.subarray(headerEnd + 4)];
        this.buffered = head.length - headerEnd - 4;
      }
      const length = this.expected;
      if (this.buffered < length) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : this.join();
      const body = JSON.parse(all.subarray(0, length).toString('utf8'));
      this.chunks = [all.subarray(length)];
      this.buffered = all.length - length;
      this.expected = undefined;
      this.dispatch(body, now, length);
    }
  }

  join() {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  dispatch(body, now, length) {
    if (body.id !== undefined && body.method) {
      // A server-to-client request (configuration, refresh…): answer null.
      this.onServerRequest?.(body.method, now);
      // Configuration: each section from `this.settings` (set by the caller), else null.
      const items = body.params?.items ?? [];
      this.write({ jsonrpc: '2.0', id: body.id, result: body.method === 'workspace/configuration' ? items.map((i) => this.settings?.[i.section] ?? null) : null });
    } else if (body.id !== undefined) {
      const p = this.pending.get(body.id);
      this.pending.delete(body.id);
      if (p) body.error ? p.reject(new Error(body.error.message)) : p.resolve({ result: body.result, at: now, bytes: length });
    } else {
      this.onNotification(body.method, body.params, now, length);
    }
  }

  write(message) {
    const json = JSON.stringify(message);
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  /** Resolves with { result, at, bytes } where `at` is the arrival time (performance.now()). */
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  async stop() {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.proc.kill();
        resolve();
      }, 2000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** VmRSS of a process in MB (Linux). */
export async function rssMb(pid) {
  const { readFileSync } = await import('node:fs');
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
