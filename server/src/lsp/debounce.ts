/**
 * How long diagnostics wait after a change (the rule is in docs/architecture.md,
 * "Diagnostics timing"): about what the last publishes cost, so a cheap analysis
 * answers almost at once, doubling while changes keep arriving before the timer
 * fires (a burst), within MIN_MS..MAX_MS. A fixed delay (MTYPE_DEBOUNCE_MS, for
 * benchmarks) replaces the rule.
 */
export const MIN_MS = 5;
export const MAX_MS = 50;
/** Weight of the newest flush in the running cost. */
const WEIGHT = 0.3;

export class AdaptiveDebounce {
  private cost = MIN_MS;
  private current = MIN_MS;

  constructor(private readonly fixed?: number) {}

  /** The delay for a change; `pending` says whether a timer was still waiting (a burst). */
  next(pending: boolean): number {
    if (this.fixed !== undefined) return this.fixed;
    this.current = pending ? Math.min(MAX_MS, this.current * 2) : clamp(this.cost);
    return this.current;
  }

  /** What one flush (analysis, encoding, writing) took. */
  record(ms: number): void {
    this.cost = this.cost * (1 - WEIGHT) + ms * WEIGHT;
  }
}

function clamp(ms: number): number {
  return Math.min(MAX_MS, Math.max(MIN_MS, Math.round(ms)));
}

/** MTYPE_DEBOUNCE_MS as a fixed delay (integer 0..1000), or undefined for the adaptive rule. */
export function fixedDebounce(value: string | undefined): number | undefined {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : undefined;
}
