// Helpers for reading QEMU's C sources, shared by the KB extraction scripts.

/**
 * Remove C comments, keeping string literals intact and line numbers unchanged (a block
 * comment leaves its newlines). A quote that is not closed on its line ends there, as in
 * an apostrophe inside an `#error` text.
 */
export function stripComments(src) {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const j = src.indexOf('*/', i + 2);
      const chunk = src.slice(i, j < 0 ? n : j + 2);
      out += ' ' + '\n'.repeat((chunk.match(/\n/g) || []).length);
      i = j < 0 ? n : j + 2;
    } else if (c === '/' && src[i + 1] === '/') {
      const j = src.indexOf('\n', i);
      i = j < 0 ? n : j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
