/**
 * @module cron-pattern
 * Pure checks for the schedule settings, so a typo in SCHEDULE_* stops the producer at start with the
 * variable's name instead of surfacing later inside BullMQ's scheduler.
 *
 * Accepted: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); each field a
 * comma list of `*`, `n`, `a-b`, each optionally `/step`; month and weekday names (`jan`, `mon-fri`).
 * `?` is accepted in the day fields. Nicknames (`@daily`) and `L`/`W`/`#` are not.
 *
 * @example
 * cronPatternProblem('0 7-21/2 * * *') // undefined
 * cronPatternProblem('0 25 * * *')     // 'hour value 25 is outside 0-23'
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  question?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIVE_FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: WEEKDAYS, question: true },
];

/** Returns why `pattern` is not a cron pattern this producer accepts, or undefined when it is fine. */
export function cronPatternProblem(pattern: string): string | undefined {
  const fields = pattern.trim().split(/\s+/);
  let specs: readonly FieldSpec[];
  if (fields.length === 5) specs = FIVE_FIELDS;
  else if (fields.length === 6) specs = [SECOND, ...FIVE_FIELDS];
  else return `expected 5 or 6 space-separated fields, got ${fields.length}`;
  for (const [index, spec] of specs.entries()) {
    const problem = fieldProblem(fields[index] ?? '', spec);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  if (spec.question && field === '?') return undefined;
  for (const item of field.split(',')) {
    const [range = '', step, extra] = item.split('/');
    if (extra !== undefined) return `${spec.name} field "${field}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
      return `${spec.name} step "${step}" must be a positive whole number`;
    }
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) {
      return `${spec.name} field "${field}" is not a number, range or list`;
    }
    const values: number[] = [];
    for (const bound of bounds) {
      const value = fieldValue(bound, spec);
      if (value === undefined) return `${spec.name} value "${bound}" is not valid`;
      if (value < spec.min || value > spec.max) {
        return `${spec.name} value ${bound} is outside ${spec.min}-${spec.max}`;
      }
      values.push(value);
    }
    const [from, to] = values;
    if (to !== undefined && from !== undefined && to < from) {
      return `${spec.name} range "${range}" runs backwards`;
    }
  }
  return undefined;
}

function fieldValue(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const named = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named < 0) return undefined;
  return spec.names === MONTHS ? named + 1 : named;
}
