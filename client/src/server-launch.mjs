// How the client starts the language server's Node.js (plain JavaScript, so that
// `npm run bench -- --peer` can start the server the same way: scripts/bench/run.mjs).
//
// V8 compiles hot functions on background threads, four of them by default. On a
// machine with two cores or fewer those compiles take the core the server itself runs
// on while it opens or edits a large file: on the benchmark machine (2 vCPUs) one
// background thread opened the 10k-line catalogue in ~390 ms instead of ~560 ms and
// brought the edit→diagnostics p95 of the first keystrokes from ~12 to ~8 ms
// (docs/performance.md, round 9). With more cores the default is left alone.
import { availableParallelism } from 'node:os';

export function serverNodeOptions(cores = availableParallelism()) {
  return cores <= 2 ? ['--v8-pool-size=1'] : [];
}
