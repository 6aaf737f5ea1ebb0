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
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection, type Message } from 'vscode-languageserver/node';

/**
 * JSON text that the stdio writer puts into a message as it is. Any other writer
 * (IPC, sockets, the library's message tracing) calls `toJSON` and gets the value.
 */
export class RawJson {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    return JSON.parse(this.json);
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
  return messageParts(msg).join('');
}

/**
 * The message as UTF-8 bytes, written part by part into one buffer: the spliced
 * diagnostics (megabytes for a large file) are not first joined into one more string.
 */
export function encodeMessageBytes(msg: Message): Buffer {
  const parts = messageParts(msg);
  if (parts.length === 1) return Buffer.from(parts[0], 'utf8');
  let length = 0;
  for (const p of parts) length += Buffer.byteLength(p, 'utf8');
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of parts) at += out.write(p, at, 'utf8');
  return out;
}

/** The message's JSON text in parts: the stringified message around each RawJson's text. */
function messageParts(msg: Message): string[] {
  const slots = rawSlots(msg);
  if (!slots.length) return [JSON.stringify(msg)];
  const originals = slots.map(({ holder, key }) => holder[key] as RawJson);
  for (const { holder, key } of slots) holder[key] = PLACEHOLDER;
  let text: string;
  try {
    text = JSON.stringify(msg);
  } finally {
    slots.forEach(({ holder, key }, i) => (holder[key] = originals[i]));
  }
  // The placeholders appear in the order JSON.stringify met them: params before result, keys in order.
  const around = text.split(QUOTED_PLACEHOLDER);
  const parts: string[] = [around[0]];
  for (let i = 1; i < around.length; i++) parts.push(originals[i - 1].json, around[i]);
  return parts;
}

/**
 * A connection over stdin/stdout whose writer understands RawJson. It does what
 * vscode-languageserver does for `--stdio` itself: exit when stdin ends, and keep
 * console output off stdout (which carries the protocol).
 */
export function createStdioConnection(): Connection {
  const writer = new StreamMessageWriter(process.stdout, {
    charset: 'utf-8',
    contentTypeEncoder: {
      name: 'application/json',
      // Content-Length is the byte length of this buffer (UTF-8), computed by the writer.
      encode: (msg) => Promise.resolve(encodeMessageBytes(msg)),
    },
  });
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), writer);
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
