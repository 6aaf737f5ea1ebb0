/**
 * Positions and ranges. Offsets index the JavaScript string (UTF-16 code units),
 * which is exactly what LSP positions count, so no conversion table is needed
 * beyond line starts.
 */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code unit within the line. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A half-open span of offsets in one document. */
export interface Span {
  start: number;
  end: number;
}

/** Maps offsets to positions and back for one text. Line breaks: \n, \r\n, \r. */
export class LineIndex {
  /** Offsets where lines start: a typed array, outside the JS heap (a 10k-line file is rebuilt on every edit). */
  readonly lineStarts: Uint32Array;

  constructor(readonly text: string, lineStarts?: Uint32Array) {
    this.lineStarts = lineStarts ?? Uint32Array.from(scanLineStarts(text, 0, text.length, [0]));
  }

  /**
   * The index of `text`, made from the index of the text it was edited from:
   * `text[at, end)` replaced what was `previous.text[at, end - delta)`. Line starts
   * before the edit are kept, those after it moved; only the edited stretch is read.
   */
  static afterEdit(previous: LineIndex, text: string, at: number, end: number): LineIndex {
    const delta = text.length - previous.text.length;
    const old = previous.lineStarts;
    // A line start s depends on text[s - 2, s] (a \r\n pair): those at or before at - 1
    // lie before the edit; those at or after the old end + 1 lie after it.
    const i = firstAbove(old, at - 1);
    const middle = scanLineStarts(text, Math.max(0, at - 1), Math.min(text.length, end + 1), i === 0 ? [0] : [], at - 1, end + 1);
    const j = Math.max(i, firstAbove(old, end - delta));
    const starts = new Uint32Array(i + middle.length + old.length - j);
    starts.set(old.subarray(0, i));
    starts.set(middle, i);
    for (let k = i + middle.length, n = j; n < old.length; n++, k++) starts[k] = old[n] + delta;
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  /** Offset of a position; positions past a line's end clamp to the line's end. */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line];
    const end = this.lineEnd(position.line);
    return Math.max(start, Math.min(start + Math.max(0, position.character), end));
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }

  spanOf(range: Range): Span {
    return { start: this.offsetAt(range.start), end: this.offsetAt(range.end) };
  }
}

export function spanContains(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}

/**
 * Pushes the line starts that the line breaks of text[from, to) make, those strictly
 * between `after` and `before` when given (a plain loop: no predicate to call per break).
 */
function scanLineStarts(text: string, from: number, to: number, starts: number[], after = -1, before = Infinity): number[] {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    let start = -1;
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    } else if (c === 10 /* \n */) {
      start = i + 1;
    }
    if (start > after && start < before) starts.push(start);
  }
  return starts;
}

/** Index of the first line start above `offset` (line starts ascend): a binary search. */
function firstAbove(starts: Uint32Array, offset: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid] <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Line breaks in text[from, to): \n, and \r not followed by \n (\r\n counts once). */
export function countLineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}
