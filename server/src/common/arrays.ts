/**
 * `list.map(fn)`, always as a packed array. TurboFan inlines `Array.prototype.map` and
 * makes its result holey (`new Array(n)`, then filled), while the builtin that runs until
 * then makes it packed: the same line yields arrays of two hidden classes, depending on
 * whether its function has been optimized yet. Code optimized while it saw only one kind
 * throws itself away when it meets the other ("wrong map"), which in the language server
 * hit the checks, placement and encoding in the first keystrokes after a large file was
 * opened, and a large check takes 50–100 ms of compiling to come back. Arrays that flow
 * into those paths are made with `push`, which is packed in every tier.
 */
export function mapped<T, U>(list: readonly T[], fn: (item: T, index: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < list.length; i++) out.push(fn(list[i], i));
  return out;
}

/**
 * The lists one after another in one packed array: `lists.flat()` without the builtin's
 * generic walk (depth, holes, array-likes), which on a re-checked machine's per-check
 * findings cost more than the rest of the checker's bookkeeping.
 */
export function concatenated<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  for (const list of lists) for (let i = 0; i < list.length; i++) out.push(list[i]);
  return out;
}
