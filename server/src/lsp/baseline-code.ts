/**
 * Baseline code from a function's first call. V8 runs a function in its interpreter
 * until the function has run for a while, then compiles it with Sparkplug (a quick,
 * non-optimizing compiler), and later, if it stays hot, with TurboFan. A language
 * server's first keystrokes on a large file go through code the open did not make hot
 * (the incremental paths, folding, placement, the checks of a long chain), and ran
 * up to twice as slow as the same keystrokes later. `--always-sparkplug` compiles each
 * function to baseline code when it is first called. V8 reads the flag each time it
 * compiles a function, so setting it at run time covers every function first called
 * afterwards. The server sets it when the first document is opened (lsp/server.ts, with
 * the warm-up session), so a workspace that is only indexed keeps its RSS. Measured on a
 * 2-vCPU machine (docs/performance.md, round 10): the peer workload's mean edit 10–14 %
 * shorter and its pooled p95 lower in five A/Bs; a few MB more RSS with a 10k-line file
 * open.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Sets the flag, unless Node was started with an option of its own about Sparkplug, on
 * its command line or in NODE_OPTIONS (someone measuring or debugging the tiers);
 * returns whether it did.
 */
export function compileBaselineOnFirstCall(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (execArgv.some((a) => a.includes('sparkplug')) || nodeOptions.includes('sparkplug')) return false;
  setFlagsFromString('--always-sparkplug');
  return true;
}
