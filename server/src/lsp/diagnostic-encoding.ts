/**
 * Diagnostics as JSON text, encoded per machine piece of the engine
 * (`Project.diagnosticsByMachine`): a piece is encoded again only when its `version`
 * moved, and the document's answer is spliced from the pieces' text.
 *
 * A piece that only moved (same `contentVersion`: same codes, messages, related
 * places, only line/character numbers differ — Enter above it) is not stringified
 * again: each piece's JSON is kept as a template with a hole for every range number,
 * and moving fills the holes from the placed diagnostics.
 *
 * The output is exactly `JSON.stringify(project.diagnostics(uri).map(toLspDiagnostic))`
 * (a property test checks the bytes).
 */
import { randomBytes } from 'node:crypto';
import type { Diagnostic } from '../common/diagnostic';
import type { Range } from '../common/text';
import { compareDiagnostics } from '../checks/document-diagnostics';
import type { DiagnosticsPiece } from '../services/project';
import { toLspDiagnostic } from './convert';

/** One piece's encoding: its JSON items (no brackets, '' when empty) and the template they came from. */
interface PieceCode {
  version: number;
  contentVersion: number;
  /** The JSON between the range numbers (holes = parts.length - 1). */
  parts: string[];
  json: string;
}

interface DocumentCode {
  generation: number;
  json: string;
  /** By piece id; a new encoding keeps only the pieces it used. */
  pieces: Map<string, PieceCode>;
}

/** Stands for a range number while a template is stringified; random, so no message can fake it. */
const HOLE = `\u0001mtype-n-${randomBytes(8).toString('hex')}`;
const QUOTED_HOLE = JSON.stringify(HOLE);
const HOLES = { start: { line: HOLE, character: HOLE }, end: { line: HOLE, character: HOLE } } as unknown as Range;

export class DiagnosticEncoder {
  private readonly documents = new Map<string, DocumentCode>();
  /** Pieces stringified so far (a piece that only moved is filled in instead; for tests and benchmarks). */
  stringified = 0;

  /**
   * The JSON array of the document's diagnostics, `pieces` being the project's
   * `diagnosticsByMachine(uri)` and `generation` its `diagnosticsGeneration(uri)`.
   */
  encode(uri: string, pieces: readonly DiagnosticsPiece[], generation: number): string {
    const previous = this.documents.get(uri);
    if (previous?.generation === generation) return previous.json;
    const next: DocumentCode = { generation, json: '', pieces: new Map() };
    if (!inTextOrder(pieces)) {
      // The rare document whose pieces are not in text order as concatenated (a finding placed
      // outside its machine): the flat list sorts them, so encode it whole.
      next.json = JSON.stringify(sorted(pieces).map(toLspDiagnostic));
    } else {
      const items: string[] = [];
      for (const piece of pieces) {
        const code = this.encodePiece(piece, previous?.pieces.get(piece.id));
        next.pieces.set(piece.id, code);
        if (code.json) items.push(code.json);
      }
      next.json = `[${items.join(',')}]`;
    }
    this.documents.set(uri, next);
    return next.json;
  }

  /** Forgets a document (closed or gone). */
  forget(uri: string): void {
    this.documents.delete(uri);
  }

  private encodePiece(piece: DiagnosticsPiece, known: PieceCode | undefined): PieceCode {
    if (known?.version === piece.version) return known;
    const list = piece.diagnostics;
    if (known?.contentVersion === piece.contentVersion) {
      const json = fill(known.parts, list);
      if (json !== undefined) return { version: piece.version, contentVersion: piece.contentVersion, parts: known.parts, json };
    }
    if (list.length) this.stringified++;
    const parts = list.length ? JSON.stringify(list.map(withHoles)).slice(1, -1).split(QUOTED_HOLE) : [''];
    return { version: piece.version, contentVersion: piece.contentVersion, parts, json: fill(parts, list) ?? '' };
  }
}

/** The diagnostic's LSP form with a hole for every range number (in JSON.stringify's order). */
function withHoles(d: Diagnostic) {
  return toLspDiagnostic({ ...d, range: HOLES, related: d.related?.map((r) => ({ ...r, range: HOLES })) });
}

/** The template filled with the diagnostics' range numbers; undefined when they do not fit. */
function fill(parts: string[], list: readonly Diagnostic[]): string | undefined {
  let out = parts[0];
  let k = 1;
  const put = (r: Range) => {
    out += r.start.line + parts[k] + r.start.character + parts[k + 1] + r.end.line + parts[k + 2] + r.end.character + parts[k + 3];
    k += 4;
  };
  for (const d of list) {
    if (k + 3 >= parts.length) return undefined;
    put(d.range);
    for (const r of d.related ?? []) {
      if (k + 3 >= parts.length) return undefined;
      put(r.range);
    }
  }
  return k === parts.length ? out : undefined;
}

/** Whether the pieces' diagnostics, concatenated, are the project's flat list (services/project.ts `flatten`). */
function inTextOrder(pieces: readonly DiagnosticsPiece[]): boolean {
  let last: Diagnostic | undefined;
  for (const p of pieces) {
    for (const d of p.diagnostics) {
      if (last && compareDiagnostics(last, d) > 0) return false;
      last = d;
    }
  }
  return true;
}

function sorted(pieces: readonly DiagnosticsPiece[]): Diagnostic[] {
  return pieces.flatMap((p) => p.diagnostics).sort(compareDiagnostics);
}
