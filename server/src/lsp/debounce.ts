/**
 * How long diagnostics wait after a change (the rule is in docs/architecture.md,
 * "Diagnostics timing"). A change that comes after the previous one was answered
 * waits MIN_MS: the answer is what the user waits for. A change that comes sooner
 * than the last delay plus what a publish costs (typing faster than the server
 * answers, a script, many small changes) doubles the delay, up to MAX_MS, so a
 * burst is analysed once at its end instead of at every step. A fixed delay
 * (MTYPE_DEBOUNCE_MS, for benchmarks) replaces the rule.
 */
export const MIN_MS = 5;
export const MAX_MS = 50;
/** Weight of the newest flush in the running cost. */
const WEIGHT = 0.3;

export class AdaptiveDebounce {
  private cost = 0;
  private current = MIN_MS;
  private lastChange = -Infinity;

  constructor(private readonly fixed?: number) {}

  /** The delay for a change arriving at `now` (ms, monotonic). */
  next(now: number): number {
    if (this.fixed !== undefined) return this.fixed;
    const burst = now - this.lastChange < this.current + this.cost;
    this.lastChange = now;
    this.current = burst ? Math.min(MAX_MS, this.current * 2) : MIN_MS;
    return this.current;
  }

  /** What one flush (analysis, encoding, writing) took. */
  record(ms: number): void {
    this.cost = this.cost * (1 - WEIGHT) + ms * WEIGHT;
  }
}

/** MTYPE_DEBOUNCE_MS as a fixed delay (integer 0..1000), or undefined for the adaptive rule. */
export function fixedDebounce(value: string | undefined): number | undefined {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : undefined;
}
