/**
 * How long diagnostics wait after a change (the rule is in docs/architecture.md,
 * "Diagnostics timing"). A change that arrives when the previous one has been
 * answered is analysed at once (MIN_MS): the answer is what the user waits for, and
 * any change already in the pipe is still read first. A change that arrives while
 * an analysis is still waiting to run (typing faster than the server answers, a
 * script, many small changes) is part of a burst: the wait doubles from BURST_MS up
 * to MAX_MS, so a burst is analysed once at its end. A fixed delay
 * (MTYPE_DEBOUNCE_MS, for benchmarks) replaces the rule.
 */
export const MIN_MS = 0;
export const BURST_MS = 5;
export const MAX_MS = 50;

export class AdaptiveDebounce {
  private current = MIN_MS;

  constructor(private readonly fixed?: number) {}

  /** The delay for a change; `waiting` when the previous change's analysis has not run yet. */
  next(waiting: boolean): number {
    if (this.fixed !== undefined) return this.fixed;
    this.current = waiting ? Math.min(MAX_MS, Math.max(BURST_MS, this.current * 2)) : MIN_MS;
    return this.current;
  }
}

/** MTYPE_DEBOUNCE_MS as a fixed delay (integer 0..1000), or undefined for the adaptive rule. */
export function fixedDebounce(value: string | undefined): number | undefined {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : undefined;
}
