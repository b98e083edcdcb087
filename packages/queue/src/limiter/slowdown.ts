/** One step of the usage-based slowdown: from `atPct` percent utilisation, multiply the interval by `factor`. */
export interface SlowdownStep {
  atPct: number;
  factor: number;
}

/**
 * The account-wide pace (Meta's ad-account score limit, reported by X-Ad-Account-Usage): above 95 % of it
 * calls are spaced twice as far apart, above 99 % four times. The steps sit above the pacing target (the 0.9
 * safety factor keeps this system's own use near 90 %): a slowdown that started below it would halve an
 * account's rate whenever the limiter is doing exactly its job. Usage above 95 % means someone else (the
 * app, another tool) shares the account. (BUC quotas need no slowdown: the limiter learns them.)
 */
export const DEFAULT_SLOWDOWN: readonly SlowdownStep[] = [
  { atPct: 95, factor: 2 },
  { atPct: 99, factor: 4 },
];

/**
 * The interval multiplier for a utilisation (the highest step reached; 1 below every step).
 * Non-finite or negative input gives 1.
 *
 * @example slowdownFactor(96) // 2
 */
export function slowdownFactor(
  utilizationPct: number,
  steps: readonly SlowdownStep[] = DEFAULT_SLOWDOWN,
): number {
  if (!Number.isFinite(utilizationPct) || utilizationPct < 0) return 1;
  let factor = 1;
  let reached = Number.NEGATIVE_INFINITY;
  for (const step of steps) {
    if (utilizationPct >= step.atPct && step.atPct >= reached) {
      reached = step.atPct;
      factor = Math.max(1, step.factor);
    }
  }
  return factor;
}
