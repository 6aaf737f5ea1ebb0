/**
 * Diagnostics as JSON text, encoded per machine piece of the engine
 * (`Project.diagnosticsByMachine`): a piece is encoded again only when its `version`
 * moved, and the document's answer is spliced from the pieces' text.
 *
 * A piece that only moved (same `contentVersion`: same codes, messages, related
 * places, only line/character numbers differ — Enter above it) is not stringified
 * again after its first move: that move makes its JSON into a template with a hole for
 * every range number, and each move fills the holes from the placed diagnostics.
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
  /** The JSON between the range numbers (holes = parts.length - 1), once the piece has moved. */
  parts?: string[];
  /** The piece's JSON items (no brackets; empty when it has no diagnostics), as UTF-8. */
  json: Uint8Array;
  /**
   * The piece's first and last diagnostic, and whether its list is in text order: what the
   * document's order check needs, kept so a piece whose version did not move is not asked for
   * its list (which would place every diagnostic again after an edit above it).
   */
  first?: Diagnostic;
  last?: Diagnostic;
  ordered: boolean;
}

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
    let last: Diagnostic | undefined;
    let ordered = true;
    for (const piece of pieces) {
      const known = previous?.pieces.get(piece.id);
      // Same version: same codes, messages and ranges as when it was encoded.
      const code = known?.version === piece.version ? known : this.encodePiece(piece, piece.diagnostics, known);
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

  private encodePiece(piece: DiagnosticsPiece, list: readonly Diagnostic[], known: PieceCode | undefined): PieceCode {
    const { version, contentVersion } = piece;
    const order = { first: list[0], last: list[list.length - 1], ordered: inTextOrder(list) };
    if (known?.contentVersion === contentVersion && list.length) {
      // Moved: the template is made on the first move (most pieces of a file opened never move).
      const parts = known.parts ?? this.template(list);
      const json = fill(parts, list, this.shape.related);
      if (json !== undefined) return { version, contentVersion, parts, json: utf8(json), ...order };
    }
    if (!list.length) return { version, contentVersion, json: NOTHING, ...order };
    this.stringified++;
    return { version, contentVersion, json: utf8(JSON.stringify(list.map(this.lsp)).slice(1, -1)), ...order };
  }

  private template(list: readonly Diagnostic[]): string[] {
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

/**
 * A template part as kept: most are the same few short strings (`,"character":`), shared;
 * the others are copies, since a slice would keep the whole stringified piece alive.
 */
const shortParts = new Map<string, string>();
function keptPart(part: string): string {
  if (part.length > 24) return (' ' + part).slice(1);
  const known = shortParts.get(part);
  if (known !== undefined) return known;
  if (shortParts.size >= 10_000) shortParts.clear();
  const own = (' ' + part).slice(1);
  shortParts.set(own, own);
  return own;
}

/** The diagnostic's LSP form with a hole for every range number (in JSON.stringify's order). */
function withHoles(d: Diagnostic, shape: DiagnosticShape) {
  return toLspDiagnostic({ ...d, range: HOLES, related: d.related?.map((r) => ({ ...r, range: HOLES })) }, shape);
}

/** The template filled with the diagnostics' range numbers; undefined when they do not fit. */
function fill(parts: string[], list: readonly Diagnostic[], related: boolean): string | undefined {
  // One join of the pieces: faster than growing a string, whose pieces would be copied again when sent.
  const out: Array<string | number> = new Array(parts.length * 2 - 1);
  out[0] = parts[0];
  let k = 1;
  for (const d of list) {
    if (k + 3 >= parts.length) return undefined;
    k = put(out, parts, k, d.range);
    if (!related) continue;
    for (const r of d.related ?? []) {
      if (k + 3 >= parts.length) return undefined;
      k = put(out, parts, k, r.range);
    }
  }
  return k === parts.length ? out.join('') : undefined;
}

/** Puts a range's four numbers into holes k..k+3, each followed by the template's next part. */
function put(out: Array<string | number>, parts: string[], k: number, r: Range): number {
  let j = 2 * k - 1;
  out[j++] = r.start.line;
  out[j++] = parts[k];
  out[j++] = r.start.character;
  out[j++] = parts[k + 1];
  out[j++] = r.end.line;
  out[j++] = parts[k + 2];
  out[j++] = r.end.character;
  out[j] = parts[k + 3];
  return k + 4;
}

/** Whether a list is in the project's flat order (checks/document-diagnostics.ts `flatten`). */
function inTextOrder(list: readonly Diagnostic[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareByRange(list[i - 1], list[i]) > 0) return false;
  return true;
}

/**
 * `compareDiagnostics` by range instead of offsets: positions grow with offsets, so the order
 * is the same, and a range is what a piece's version vouches for (offsets move with any edit above).
 */
function compareByRange(a: Diagnostic, b: Diagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
