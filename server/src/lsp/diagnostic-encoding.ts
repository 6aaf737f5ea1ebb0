/**
 * Diagnostics as JSON text, without stringifying what did not change. A keystroke
 * gives a document's diagnostics back as new objects, but almost all of them say
 * what they said before at the same place. So each diagnostic's JSON is kept and
 * found again by its content (looked up by message, a string whose hash V8 keeps,
 * then compared field by field, which is far cheaper than encoding it), and the
 * response is joined from those strings. A list that comes back as the same array
 * (a document not re-analysed) is not joined again; a list that is mostly new is
 * stringified whole and cut into pieces after the answer. Each encoding of a document
 * keeps only the entries it used, so the cache never outgrows the document.
 *
 * The output parses to exactly `list.map(toLspDiagnostic)` (a unit test checks it).
 */
import type { Diagnostic } from '../common/diagnostic';
import type { Range } from '../common/text';
import { toLspDiagnostic } from './convert';

interface Entry {
  d: Diagnostic;
  json: string;
}

interface Generation {
  list: readonly Diagnostic[];
  json: string;
  /** Encoded diagnostics by message. */
  byMessage: Map<string, Entry[]>;
}

export class DiagnosticEncoder {
  private readonly documents = new Map<string, Generation>();

  /** The JSON array of `list.map(toLspDiagnostic)` for document `uri`. */
  encode(uri: string, list: readonly Diagnostic[]): string {
    const previous = this.documents.get(uri);
    if (previous?.list === list) return previous.json;
    const next: Generation = { list, json: '', byMessage: new Map() };
    const parts: string[] = new Array(list.length);
    const missed: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const json = reuse(list[i], previous, next);
      if (json === undefined) missed.push(i);
      else parts[i] = json;
    }
    this.documents.set(uri, next);
    if (missed.length > list.length / 2) {
      // Mostly new (the first analysis, an Enter above most of the file): one stringify
      // answers fastest; the pieces are cut for the next edit after the answer is out.
      next.json = JSON.stringify(list.map(toLspDiagnostic));
      setImmediate(() => this.documents.get(uri) === next && this.fill(next, missed, undefined, splitItems(next.json)));
      return next.json;
    }
    this.fill(next, missed, parts);
    next.json = `[${parts.join(',')}]`;
    return next.json;
  }

  /**
   * Keeps the JSON of the diagnostics at `missed` in `next` (and in `parts`): cut from
   * `whole` (the list's JSON, already made) when given, else encoded now.
   */
  private fill(next: Generation, missed: number[], parts?: string[], whole?: string[]): void {
    if (!missed.length) return;
    const fresh = whole ? missed.map((i) => whole[i]) : splitItems(JSON.stringify(missed.map((i) => toLspDiagnostic(next.list[i]))));
    missed.forEach((i, k) => {
      if (parts) parts[i] = fresh[k];
      remember(next, { d: next.list[i], json: fresh[k] });
    });
  }

  /** Forgets a document (closed or gone). */
  forget(uri: string): void {
    this.documents.delete(uri);
  }
}

/** The JSON of an equal diagnostic encoded before, carried into the next generation. */
function reuse(d: Diagnostic, previous: Generation | undefined, next: Generation): string | undefined {
  const known = next.byMessage.get(d.message)?.find((e) => sameDiagnostic(e.d, d));
  if (known) return known.json;
  const found = previous?.byMessage.get(d.message)?.find((e) => sameDiagnostic(e.d, d));
  if (!found) return undefined;
  remember(next, found);
  return found.json;
}

function remember(next: Generation, entry: Entry): void {
  const entries = next.byMessage.get(entry.d.message);
  if (entries) entries.push(entry);
  else next.byMessage.set(entry.d.message, [entry]);
}

/**
 * The items of a JSON array of LSP diagnostics (one JSON.stringify of them all is several
 * times faster than one per diagnostic). Every item starts with `{"range":`, and a quote
 * inside a JSON string is escaped, so `},{"range":` occurs only between items.
 */
function splitItems(array: string): string[] {
  if (array === '[]') return [];
  const pieces = array.slice(1, -1).split(SEPARATOR);
  // Own copies: a piece cut from `array` would keep all of it alive while cached.
  return pieces.map((p, i) => ownCopy((i > 0 ? '{"range":' : '') + p + (i < pieces.length - 1 ? '}' : '')));
}

const SEPARATOR = '},{"range":';

function ownCopy(text: string): string {
  return (' ' + text).slice(1);
}

/** Equal in everything toLspDiagnostic reads (messages are equal already). */
function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  if (a === b) return true;
  if (a.code !== b.code || a.severity !== b.severity || !sameRange(a.range, b.range)) return false;
  if (!sameList(a.tags, b.tags, (x, y) => x === y)) return false;
  return sameList(a.related, b.related, (x, y) => x.uri === y.uri && x.message === y.message && sameRange(x.range, y.range));
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}
