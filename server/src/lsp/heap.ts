/**
 * The workspace index (lsp/indexing.ts) parses every file of the folders, and what it builds
 * (syntax trees, the index) stays alive. Left alone, V8 answers that burst of
 * allocation by growing the young generation to its maximum (2 × 16 MiB) and the
 * old one well past what is live, and keeps the pages: ~30 MB of RSS for nothing.
 * While it runs the young generation keeps its initial size and the old one grows
 * in small steps; afterwards V8's defaults return, since editing a large file
 * allocates much short-lived garbage, which a large young generation handles best.
 * (These V8 flags are read when the heap resizes, so setting them at run time works.)
 */
import { setFlagsFromString } from 'node:v8';

export async function withCompactHeap<T>(work: () => Promise<T>): Promise<T> {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=30');
  try {
    return await work();
  } finally {
    setFlagsFromString('--semi-space-growth-factor=2');
    setFlagsFromString('--heap-growing-percent=0');
  }
}
