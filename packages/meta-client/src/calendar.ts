/**
 * Days in `month` (1-12) of `year` in the proleptic Gregorian calendar (as `Date` counts them): the one
 * calendar rule of the system, used to check `YYYY-MM-DD` dates without building a `Date` per check.
 *
 * @example
 * daysInMonth(2024, 2) // 29
 */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
