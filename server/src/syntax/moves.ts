/**
 * Which offsets of a text may sit on another line or character than in an earlier
 * version, from the edits its tree records (`SyntaxTree.changes`, syntax/reparse.ts):
 * offsets before the first edit never moved; after one edit that kept the line count,
 * only the rest of its last line did. Anything else, or an unknown history, may have
 * moved everywhere.
 */
import type { SyntaxTree } from './ast';

export type Moved = (offset: number) => boolean;

export const ALL_MOVED: Moved = () => true;
const NONE_MOVED: Moved = () => false;

/** What may have moved in `tree` since the tree with serial `since` (undefined: unknown). */
export function movedSince(since: number | undefined, tree: SyntaxTree): Moved {
  if (since === undefined) return ALL_MOVED;
  if (since === tree.serial) return NONE_MOVED;
  const changes = tree.changes;
  const i = changes.findIndex((c) => c.from === since);
  if (i < 0) return ALL_MOVED;
  let at = Infinity;
  for (let k = i; k < changes.length; k++) at = Math.min(at, changes[k].at);
  const last = changes[changes.length - 1];
  if (i === changes.length - 1 && last.lineDelta === 0) {
    const text = tree.text;
    let stop = last.end;
    while (stop < text.length && text.charCodeAt(stop) !== 10 && text.charCodeAt(stop) !== 13) stop++;
    return (offset) => offset >= at && offset <= stop;
  }
  return (offset) => offset >= at;
}
