/** One step of the usage-based slowdown: from `atPct` percent utilisation, multiply the interval by `factor`. */
export interface SlowdownStep {
  atPct: number;
  factor: number;
}

/**
 * Above 90 % of the hour's quota calls are spaced twice as far apart, above 97 % four times. The steps sit
 * above the pacing target (the 0.8 safety factor keeps this system's own use near 80 %): a slowdown that
 * started below it would halve an account's rate whenever the limiter is doing exactly its job. Usage above
 * 90 % means someone else (the app, another tool) shares the quota.
 */
export const DEFAULT_SLOWDOWN: readonly SlowdownStep[] = [
  { atPct: 90, factor: 2 },
  { atPct: 97, factor: 4 },
];

/**
 * The interval multiplier for a utilisation (the highest step reached; 1 below every step).
 * Non-finite or negative input gives 1.
 *
 * @example slowdownFactor(80) // 2
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
