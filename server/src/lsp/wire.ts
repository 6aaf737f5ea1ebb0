/**
 * The stdio transport with pre-encoded pieces. Diagnostics are the largest thing
 * the server sends and they barely change between keystrokes, so they are encoded
 * once (lsp/diagnostic-encoding.ts) and spliced into the message as JSON text
 * (`RawJson`) instead of being turned back into objects and stringified again.
 *
 * Only `createStdioConnection` writes RawJson as raw text; other transports (IPC,
 * sockets) stay correct through `RawJson.toJSON`, only slower.
 */
import { Console } from 'node:console';
import { randomBytes } from 'node:crypto';
import { AbstractMessageWriter, createConnection, ProposedFeatures, StreamMessageReader, type Connection, type Message, type MessageWriter } from 'vscode-languageserver/node';

/**
 * A JSON text in parts, as UTF-8 bytes: what the diagnostics encoder answers and the
 * writer copies out. Parts are shared between answers (equal answers are usually the
 * same parts), and kept as bytes so that writing an answer is a copy of memory, not a
 * second UTF-8 encoding of a megabyte of text per keystroke.
 */
export class JsonParts {
  constructor(
    readonly parts: readonly Uint8Array[],
    readonly byteLength: number,
  ) {}

  static of(json: string): JsonParts {
    const bytes = utf8(json);
    return new JsonParts([bytes], bytes.length);
  }

  get text(): string {
    return (this.parts.length === 1 ? Buffer.from(this.parts[0].buffer, this.parts[0].byteOffset, this.parts[0].length) : Buffer.concat(this.parts, this.byteLength)).toString('utf8');
  }

  /** Whether both say the same (part by part: equal parts are mostly the same bytes, so cheap). */
  equals(other: JsonParts | undefined): boolean {
    if (other === this) return true;
    if (!other || other.byteLength !== this.byteLength) return false;
    if (other.parts.length === this.parts.length && this.parts.every((p, i) => p === other.parts[i])) return true;
    return Buffer.concat(this.parts, this.byteLength).equals(Buffer.concat(other.parts, other.byteLength));
  }
}

/**
 * A string's UTF-8 bytes in a buffer of their own: a long-lived piece cut from Node's
 * shared pool would keep the pool's whole 8 KiB slab alive.
 */
export function utf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}

/**
 * JSON text that the stdio writer puts into a message as it is. Any other writer
 * (IPC, sockets, the library's message tracing) calls `toJSON` and gets the value.
 */
export class RawJson {
  readonly json: JsonParts;

  constructor(json: JsonParts | string) {
    this.json = typeof json === 'string' ? JsonParts.of(json) : json;
  }

  toJSON(): unknown {
    return JSON.parse(this.json.text);
  }
}

/**
 * Stands for a RawJson while the rest of the message is stringified. A random
 * nonce, so no string in a message (a URI, a message text) can fake it.
 */
const PLACEHOLDER = `\u0001mtype-raw-${randomBytes(8).toString('hex')}`;
const QUOTED_PLACEHOLDER = JSON.stringify(PLACEHOLDER);

/** The properties of `params` or `result` that hold RawJson (only that level is looked at). */
function rawSlots(msg: Message): { holder: Record<string, unknown>; key: string }[] {
  const slots: { holder: Record<string, unknown>; key: string }[] = [];
  for (const holder of [(msg as { params?: unknown }).params, (msg as { result?: unknown }).result]) {
    if (!holder || typeof holder !== 'object' || Array.isArray(holder)) continue;
    for (const [key, value] of Object.entries(holder)) if (value instanceof RawJson) slots.push({ holder: holder as Record<string, unknown>, key });
  }
  return slots;
}

/** A JSON-RPC message as JSON text, RawJson pieces spliced in verbatim. */
export function encodeMessage(msg: Message): string {
  return messageParts(msg).text;
}

/**
 * A buffer that grows and is written over: the writer's, reused for each message once
 * the stream has written the previous one out, so a megabyte answer allocates nothing new.
 */
export class ByteArena {
  private buffer = Buffer.allocUnsafe(0);

  /** A buffer of `length` bytes, valid until the next call. */
  take(length: number): Buffer {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafe(Math.max(length, Math.ceil(this.buffer.length * 1.5)));
    return this.buffer.subarray(0, length);
  }
}

/**
 * The message as UTF-8 bytes, written part by part into one buffer (the arena's when
 * given): the spliced diagnostics (megabytes for a large file) are never joined into
 * one more string. With `framed`, the Content-Length header comes first, in the same buffer.
 */
export function encodeMessageBytes(msg: Message, arena?: ByteArena, framed = false): Buffer {
  const { parts, byteLength } = messageParts(msg);
  const header = framed ? `Content-Length: ${byteLength}\r\n\r\n` : '';
  if (!arena && parts.length === 1 && !framed) return Buffer.from(parts[0].buffer, parts[0].byteOffset, parts[0].length);
  const out = arena ? arena.take(header.length + byteLength) : Buffer.allocUnsafe(header.length + byteLength);
  let at = out.write(header, 0, 'ascii');
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Writes each message as one framed buffer, at once and in order. The library's own
 * stream writer waits a turn of the event loop before it encodes, then writes the
 * header and the body apart and waits for the first; for a megabyte of diagnostics
 * per keystroke those turns are in the way while the editor waits.
 */
class StdioMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private readonly arena = new ByteArena();
  /** The arena's bytes are still queued in the stream: the next message needs its own buffer. */
  private arenaQueued = false;
  /** Messages handed to the stream and not yet written out. */
  private writing = 0;
  private errors = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: StdioOptions = {},
  ) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    stream.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    const fromArena = !this.arenaQueued;
    const bytes = encodeMessageBytes(msg, fromArena ? this.arena : undefined, true);
    if (fromArena) this.arenaQueued = true;
    this.writing++;
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => {
        if (fromArena) this.arenaQueued = false;
        this.writing--;
        // Only when nothing else is on its way out: a pause now would hold the next message back.
        if (!error && bytes.length >= LARGE_MESSAGE_BYTES) setImmediate(() => this.writing === 0 && this.options.afterLargeWrite?.());
        if (!error) return resolve();
        this.fireError(error, msg, ++this.errors);
        reject(error);
      });
    });
  }

  end(): void {
    this.stream.end();
  }
}

/** The message's JSON text in parts: the stringified message around each RawJson's parts. */
function messageParts(msg: Message): JsonParts {
  const slots = rawSlots(msg);
  if (!slots.length) return JsonParts.of(JSON.stringify(msg));
  const originals = slots.map(({ holder, key }) => holder[key] as RawJson);
  for (const { holder, key } of slots) holder[key] = PLACEHOLDER;
  let text: string;
  try {
    text = JSON.stringify(msg);
  } finally {
    slots.forEach(({ holder, key }, i) => (holder[key] = originals[i]));
  }
  // The placeholders appear in the order JSON.stringify met them: params before result, keys in order.
  const around = text.split(QUOTED_PLACEHOLDER).map((t) => Buffer.from(t, 'utf8'));
  const parts: Uint8Array[] = [around[0]];
  let byteLength = around[0].length;
  for (let i = 1; i < around.length; i++) {
    const raw = originals[i - 1].json;
    for (const p of raw.parts) parts.push(p);
    parts.push(around[i]);
    byteLength += raw.byteLength + around[i].length;
  }
  return new JsonParts(parts, byteLength);
}

/** Messages from this size on (a large file's diagnostics) call `afterLargeWrite` once written out. */
const LARGE_MESSAGE_BYTES = 256 * 1024;

export interface StdioOptions {
  /** Called (on an immediate) when a large message has been written out and no other is on its way: the client reads and parses it for a while. */
  afterLargeWrite?: () => void;
}

/**
 * A connection over stdin/stdout whose writer understands RawJson. It does what
 * vscode-languageserver does for `--stdio` itself: exit when stdin ends, and keep
 * console output off stdout (which carries the protocol).
 */
export function createStdioConnection(options: StdioOptions = {}): Connection {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StdioMessageWriter(process.stdout, options));
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  for (const event of ['end', 'close'] as const) process.stdin.on(event, () => process.exit(shutdown ? 0 : 1));
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'table'] as const) {
    (console as unknown as Record<string, unknown>)[method] = (toStderr[method] as (...a: unknown[]) => void).bind(toStderr);
  }
  return connection;
}
