/**
 * Collections at a time of the server's choosing. A keystroke on a large file allocates
 * a few megabytes; left to itself, V8 collects whenever the young generation fills,
 * which is in the middle of some later keystroke's analysis, and that keystroke waits
 * the 5-15 ms the collection takes. Collecting once an answer is written out, while the
 * editor reads and parses it, moves that pause to where nobody waits for the server.
 *
 * The same holds for the whole heap after a long analysis (a large file opened): it
 * leaves the heap so much larger that V8's next full collection comes within the next
 * dozen keystrokes, as incremental marking plus a final pause that cost two of them
 * 30-50 ms each on the chains benchmark. Collecting fully right after that answer
 * (~40 ms, while the editor shows the first diagnostics) takes it away from the
 * keystrokes, and V8 sizes its next limit from the heap as it really is.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collector = (options?: { type: 'minor' }) => void;

let collector: Collector | null | undefined;

/** V8's `gc`, exposed at run time (a context made after the flag is set has it); null where that is refused. */
function collectorOf(): Collector | null {
  if (collector === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collector = runInNewContext('gc') as Collector;
    } catch {
      collector = null;
    }
  }
  return collector;
}

/**
 * Collects the young generation when it is fuller than `share` of its capacity: the next
 * edit (a few megabytes on a large file) would likely fill it. Not sooner: while the editor
 * parses the answer, a collection competes with it for the machine's cores, and on two
 * cores that delayed the editor more than it saved the server (peer workload, 3 alternating
 * runs of 8-10: parsed-answer p95 17.2 ms at 10 %, 15.9-16.1 ms at 75 %).
 */
export function collectYoungIfFull(share = 0.75): boolean {
  const gc = collectorOf();
  if (!gc) return false;
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!space || space.space_used_size <= (space.space_used_size + space.space_available_size) * share) return false;
  gc({ type: 'minor' });
  return true;
}

/** Collects the whole heap now; returns whether it could. */
export function collectAll(): boolean {
  const gc = collectorOf();
  if (!gc) return false;
  // Without options: in Node 20's V8, `{ type: 'major' }` ran a 4 ms young collection here, not a full one.
  gc();
  return true;
}
