/** What Meta says about when a throttled caller may call again (any subset). */
export interface RegainHints {
  /** `estimated_time_to_regain_access` of X-Business-Use-Case-Usage, in minutes. */
  estimatedTimeToRegainAccessMinutes?: number | undefined;
  /** `reset_time_duration` of X-Ad-Account-Usage, in seconds. */
  resetTimeDurationSeconds?: number | undefined;
  /** A delay the client already computed (e.g. meta-client's `retryAfterMs`). */
  retryAfterMs?: number | undefined;
}

/**
 * How long to block after a throttle, from Meta's hints in this order: regain time (minutes), reset time
 * (seconds), a computed retry-after. `undefined` when none is positive: the limiter then uses its fallback.
 *
 * @example throttleBlockMs({ estimatedTimeToRegainAccessMinutes: 19 }) // 1_140_000
 */
export function throttleBlockMs(hints: RegainHints): number | undefined {
  const {
    estimatedTimeToRegainAccessMinutes: minutes,
    resetTimeDurationSeconds: seconds,
    retryAfterMs,
  } = hints;
  if (isPositive(minutes)) return Math.ceil(minutes * 60_000);
  if (isPositive(seconds)) return Math.ceil(seconds * 1_000);
  if (isPositive(retryAfterMs)) return Math.ceil(retryAfterMs);
  return undefined;
}

function isPositive(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
