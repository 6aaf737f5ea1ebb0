/**
 * Diagnostics as JSON text, encoded per machine piece of the engine
 * (`Project.diagnosticsByMachine`): a piece is encoded again only when its `version`
 * moved, and the document's answer is spliced from the pieces' text.
 *
 * A piece that only moved (same `contentVersion`: same codes, messages, related
 * places, only line/character numbers differ — Enter above it) is not stringified
 * again after its first move: that move makes its JSON into a template (UTF-8 parts
 * around a hole for every range number), and each later move writes the parts and the
 * piece's range numbers (`DiagnosticsPiece.rangeNumbers`) into one buffer, without the
 * piece placing its diagnostics.
 *
 * The output is exactly `JSON.stringify(project.diagnostics(uri).map(toLspDiagnostic))`
 * (a property test checks the bytes), kept as the pieces' UTF-8 bytes side by side
 * (`JsonParts`): a piece is encoded to bytes once, when it is stringified or filled
 * in, and the writer copies the bytes into its buffer, so no answer is ever joined
 * into one more multi-megabyte string nor encoded again because another piece changed.
 */
import { randomBytes } from 'node:crypto';
import type { Diagnostic } from '../common/diagnostic';
import type { Range } from '../common/text';
import { compareDiagnostics } from '../checks/document-diagnostics';
import type { DiagnosticsPiece } from '../services/project';
import { FULL_SHAPE, toLspDiagnostic, type DiagnosticShape } from './convert';
import { JsonParts, utf8 } from './wire';
import { mapped } from '../common/arrays';

/** One piece's encoding: its JSON items (no brackets, '' when empty) and the template they came from. */
interface PieceCode {
  version: number;
  contentVersion: number;
  /** The JSON between the range numbers as UTF-8 (holes = parts.length - 1), once the piece has moved. */
  parts?: Uint8Array[];
  /** The piece's JSON items (no brackets; empty when it has no diagnostics), as UTF-8. */
  json: Uint8Array;
  /**
   * The piece's first and last diagnostic, and whether its list is in text order: what the
   * document's order check needs, kept so a piece whose version did not move is not asked for
   * its list (which would place every diagnostic again after an edit above it).
   */
  first?: OrderKey;
  last?: OrderKey;
  ordered: boolean;
}

/** What the order check compares of a diagnostic. */
type OrderKey = Pick<Diagnostic, 'range' | 'code' | 'message'>;

interface DocumentCode {
  generation: number;
  json: JsonParts;
  /** By piece id; a new encoding keeps only the pieces it used. */
  pieces: Map<string, PieceCode>;
  /** The pieces' ids in order, as encoded. */
  ids: string[];
}

const EMPTY_LIST = JsonParts.of('[]');
const OPEN = utf8('[');
const COMMA = utf8(',');
const CLOSE = utf8(']');
const NOTHING = new Uint8Array(0);

/** Stands for a range number while a template is stringified; random, so no message can fake it. */
const HOLE = `\u0001mtype-n-${randomBytes(8).toString('hex')}`;
const QUOTED_HOLE = JSON.stringify(HOLE);
const HOLES = { start: { line: HOLE, character: HOLE }, end: { line: HOLE, character: HOLE } } as unknown as Range;

export class DiagnosticEncoder {
  private readonly documents = new Map<string, DocumentCode>();
  /** Pieces stringified so far, templates included (a piece that moved again is filled in; for tests and benchmarks). */
  stringified = 0;
  private readonly lsp: (d: Diagnostic) => ReturnType<typeof toLspDiagnostic>;

  /** `shape`: what the client accepts (without related information, none is sent or filled in). */
  constructor(private readonly shape: DiagnosticShape = FULL_SHAPE) {
    this.lsp = (d) => toLspDiagnostic(d, shape);
  }

  /**
   * The JSON array of the document's diagnostics, `pieces` being the project's
   * `diagnosticsByMachine(uri)` and `generation` its `diagnosticsGeneration(uri)`.
   */
  encode(uri: string, pieces: readonly DiagnosticsPiece[], generation: number): JsonParts {
    const previous = this.documents.get(uri);
    if (previous?.generation === generation) return previous.json;
    // A keystroke keeps the list of pieces: their map is updated in place, not made again (a
    // map of 500 entries per keystroke was a fifth of what a plain edit allocated).
    const same = previous !== undefined && sameIds(previous.ids, pieces);
    const next: DocumentCode = { generation, json: EMPTY_LIST, pieces: same ? previous.pieces : new Map(), ids: same ? previous.ids : mapped(pieces, (p) => p.id) };
    const items: Uint8Array[] = [OPEN];
    let bytes = 2;
    let last: OrderKey | undefined;
    let ordered = true;
    for (const piece of pieces) {
      const known = previous?.pieces.get(piece.id);
      // Same version: same codes, messages and ranges as when it was encoded.
      const code = known?.version === piece.version ? known : this.encodePiece(piece, known);
      if (code !== known || !same) next.pieces.set(piece.id, code);
      if (!code.ordered || (last && code.first && compareByRange(last, code.first) > 0)) ordered = false;
      last = code.last ?? last;
      if (!code.json.length) continue;
      if (items.length > 1) {
        items.push(COMMA);
        bytes++;
      }
      items.push(code.json);
      bytes += code.json.length;
    }
    items.push(CLOSE);
    if (ordered) next.json = new JsonParts(items, bytes);
    else {
      // The rare document whose pieces are not in text order as concatenated (a finding placed
      // outside its machine): the flat list sorts them, so encode it whole.
      next.json = JsonParts.of(JSON.stringify(pieces.flatMap((p) => p.diagnostics).sort(compareDiagnostics).map(this.lsp)));
    }
    this.documents.set(uri, next);
    return next.json;
  }

  /** Forgets a document (closed or gone). */
  forget(uri: string): void {
    this.documents.delete(uri);
  }

  private encodePiece(piece: DiagnosticsPiece, known: PieceCode | undefined): PieceCode {
    const { version, contentVersion } = piece;
    if (known?.contentVersion === contentVersion && known.parts && known.ordered && known.first && known.last) {
      // Moved again: same diagnostics in the same order, only their numbers are new (an
      // edit above moves every position of the piece alike, so the order holds).
      const { numbers, last } = piece.rangeNumbers(this.shape.related);
      const json = fill(known.parts, numbers);
      if (json) return { version, contentVersion, parts: known.parts, json, first: withRange(known.first, numbers, 0), last: withRange(known.last, numbers, last), ordered: true };
    }
    const list = piece.diagnostics;
    const order = { first: orderKey(list[0]), last: orderKey(list[list.length - 1]), ordered: inTextOrder(list) };
    if (known?.contentVersion === contentVersion && list.length) {
      // Moved: the template is made on the first move (most pieces of a file opened never move).
      const parts = known.parts ?? this.template(list);
      const json = fill(parts, numbersOf(list, this.shape.related));
      if (json) return { version, contentVersion, parts, json, ...order };
    }
    if (!list.length) return { version, contentVersion, json: NOTHING, ...order };
    this.stringified++;
    return { version, contentVersion, json: utf8(JSON.stringify(list.map(this.lsp)).slice(1, -1)), ...order };
  }

  private template(list: readonly Diagnostic[]): Uint8Array[] {
    this.stringified++;
    return JSON.stringify(list.map((d) => withHoles(d, this.shape))).slice(1, -1).split(QUOTED_HOLE).map(keptPart);
  }
}

/** Whether the pieces have the ids encoded last, in the same order. */
function sameIds(ids: readonly string[], pieces: readonly DiagnosticsPiece[]): boolean {
  if (ids.length !== pieces.length) return false;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== pieces[i].id) return false;
  return true;
}

/** A template part as kept: most are the same few short strings (`,"character":`), encoded once and shared. */
const shortParts = new Map<string, Uint8Array>();
function keptPart(part: string): Uint8Array {
  if (part.length > 24) return utf8(part);
  const known = shortParts.get(part);
  if (known !== undefined) return known;
  if (shortParts.size >= 10_000) shortParts.clear();
  const own = utf8(part);
  shortParts.set(part, own);
  return own;
}

/** The diagnostic's LSP form with a hole for every range number (in JSON.stringify's order). */
function withHoles(d: Diagnostic, shape: DiagnosticShape) {
  return toLspDiagnostic({ ...d, range: HOLES, related: d.related?.map((r) => ({ ...r, range: HOLES })) }, shape);
}

/** The placed diagnostics' range numbers in the template's order (each range's four, then its related ones'). */
function numbersOf(list: readonly Diagnostic[], related: boolean): number[] {
  const out: number[] = [];
  const push = (r: Range) => out.push(r.start.line, r.start.character, r.end.line, r.end.character);
  for (const d of list) {
    push(d.range);
    if (related) for (const r of d.related ?? []) push(r.range);
  }
  return out;
}

/** The template with its holes filled, as UTF-8 in one buffer; undefined when the numbers do not fit it. */
function fill(parts: readonly Uint8Array[], numbers: readonly number[]): Uint8Array | undefined {
  if (numbers.length !== parts.length - 1) return undefined;
  let length = 0;
  for (const p of parts) length += p.length;
  for (const n of numbers) {
    // Positions are small non-negative integers; anything else is left to JSON.stringify.
    if (!(n >= 0 && n <= 0x7fffffff && Number.isInteger(n))) return undefined;
    length += digits(n);
  }
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (let i = 0; i < numbers.length; i++) {
    out.set(parts[i], at);
    at = writeDigits(out, at + parts[i].length, numbers[i]);
  }
  out.set(parts[numbers.length], at);
  return out;
}

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes `n` in decimal ASCII at `at`; returns the offset after it. */
function writeDigits(out: Uint8Array, at: number, n: number): number {
  const end = at + digits(n);
  for (let i = end - 1; i >= at; i--) {
    out[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

function orderKey(d: Diagnostic | undefined): OrderKey | undefined {
  return d && { range: d.range, code: d.code, message: d.message };
}

/** The key with the range whose four numbers start at `at`. */
function withRange(key: OrderKey, numbers: readonly number[], at: number): OrderKey {
  return { code: key.code, message: key.message, range: { start: { line: numbers[at], character: numbers[at + 1] }, end: { line: numbers[at + 2], character: numbers[at + 3] } } };
}

/** Whether a list is in the project's flat order (checks/document-diagnostics.ts `flatten`). */
function inTextOrder(list: readonly OrderKey[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareByRange(list[i - 1], list[i]) > 0) return false;
  return true;
}

/**
 * `compareDiagnostics` by range instead of offsets: positions grow with offsets, so the order
 * is the same, and a range is what a piece's version vouches for (offsets move with any edit above).
 */
function compareByRange(a: OrderKey, b: OrderKey): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
