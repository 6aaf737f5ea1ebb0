/** Positions in test texts, found by a marker string rather than by counting. */
import { LineIndex, type Position } from '../../../server/src/common/text';

/** The position of the `nth` occurrence of `marker` in `text`, plus `shift` characters. */
export function positionOf(text: string, marker: string, shift = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(marker, at + 1);
    if (at < 0) throw new Error(`marker '${marker}' #${nth} not in text`);
  }
  return new LineIndex(text).positionAt(at + shift);
}

/** The position just after the `nth` occurrence of `marker`. */
export function after(text: string, marker: string, nth = 0): Position {
  return positionOf(text, marker, marker.length, nth);
}

/** Applies LSP-style range edits to a text (no overlaps; any order). */
export function applyRangeEdits(text: string, edits: Array<{ range: { start: Position; end: Position }; newText: string }>): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText }));
  spans.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}
