/**
 * @module
 * Number formatting as Meta sends insights values: strings, money with two decimals,
 * ratios with up to six decimals and no trailing zeros.
 */

/** Minor units (cents) -> '123.45'. */
export function formatMoney(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** A ratio -> up to six decimals, trailing zeros stripped ('2.51606', '0.5', '3'). */
export function formatRatio(value: number): string {
  const fixed = value.toFixed(6);
  if (fixed.indexOf('.') === -1) return fixed;
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48) end--;
  if (fixed.charCodeAt(end - 1) === 46) end--;
  return fixed.slice(0, end);
}
