/** Turning "old text -> new text" into one minimal edit (common prefix and suffix kept). */
import type { TextEdit } from '../fixes/apply';

/** The single edit that turns `before` into `after`, or undefined when they are equal. */
export function diffEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // Never split a CRLF pair or a surrogate pair between the kept and the replaced text.
  while (start > 0 && isLowHalf(before, start)) start--;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  while (end > 0 && isLowHalf(before, before.length - end)) end--;
  return { span: { start, end: before.length - end }, newText: after.slice(start, after.length - end) };
}

/** True when offset `i` sits between the halves of a two-unit sequence (\r\n or a surrogate pair). */
function isLowHalf(text: string, i: number): boolean {
  const prev = text.charCodeAt(i - 1);
  const cur = text.charCodeAt(i);
  return (prev === 13 && cur === 10) || (prev >= 0xd800 && prev <= 0xdbff && cur >= 0xdc00 && cur <= 0xdfff);
}
