/**
 * V8 settings mtype chooses for itself, however Node was started (the extension,
 * another editor's `node server.js --stdio`, the command line, a test). Called by the
 * two entry points (lsp/main.ts, cli/bin.ts) before any analysis.
 *
 * No function inlining in optimized code. The engine's hot paths are many small
 * functions called from a few large ones (the checker's loop over checks, placing and
 * folding findings); with inlining, V8 optimizes those callers into very large graphs
 * that take long to compile on background threads, compete with the server (and, on a
 * small machine, the editor) for the cores, and are thrown away again when one inlined
 * callee meets a new shape; until they are ready, keystrokes run unoptimized. Measured
 * on the chains benchmark (docs/performance.md, round 17): background compile time of
 * a 56-pair session 2.4 -> 1.1 s, the engine's edit p95 over the first 50 typing pairs
 * 13.6 -> 9.2 ms, opening the 10k-line file 757 -> 613 ms, `mtype check` of it
 * 790 -> 650 ms.
 *
 * Set at start, before anything is optimized: each compile job reads the flag. A flag
 * given to Node itself (`node --turbo-inlining …`) is kept. (Node refuses V8 flags like
 * this one in NODE_OPTIONS, so the command line is the only place to look.)
 */
import { setFlagsFromString } from 'node:v8';

export const LATENCY_FLAGS = ['--no-turbo-inlining'];

/** Sets the flags of LATENCY_FLAGS that `execArgv` does not set either way; returns those it set. */
export function tuneV8ForLatency(execArgv: readonly string[] = process.execArgv): string[] {
  const given = new Set(execArgv.map(flagName));
  const applied: string[] = [];
  for (const flag of LATENCY_FLAGS) {
    if (given.has(flagName(flag))) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}

/** `--no-turbo_inlining=…` -> `--turbo-inlining`: a flag's name, whichever way it is set or spelled. */
function flagName(arg: string): string {
  return arg.split('=')[0].replace(/_/g, '-').replace(/^--no-/, '--');
}
