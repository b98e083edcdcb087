const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Insights metric value (Meta sends strings: `"100.50"`) → number. Empty, missing, non-numeric,
 * NaN and ±Infinity become 0; finite numbers pass through.
 *
 * @example
 * metricNumber('12.34') // 12.34
 * metricNumber(undefined) // 0
 */
export function metricNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (typeof value !== 'string') return 0;
  const trimmed = value.trim();
  if (!DECIMAL.test(trimmed)) return 0;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : 0;
}
