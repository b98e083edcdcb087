/**
 * @module
 * Which closed periods a summaries job fetches today, and in which pieces (pure).
 *
 * Every period of the horizon (the last N closed months or weeks) is in one of these states:
 *
 * | state                                             | fetched                                                   |
 * | ------------------------------------------------- | --------------------------------------------------------- |
 * | already fetched completely today (`fetchedOn`)    | no (a re-run, a retry or a job back from a park goes on); an on-demand re-collection only skips what it fetched itself |
 * | no row                                            | yes: `missing` (first run: the backfill; the day after a period closes: the close) |
 * | a row another writer left (not the engine's last) | yes: `foreign`, replaced only by a complete fetch          |
 * | the engine's row, or a known empty period         | on re-collection days only, while Meta may restate it: `restatement` |
 *
 * Re-collection days are the app's (`recollect-previous-month`: the 5th, 8th, 11th, 15th and 28th) for
 * monthly rows and the weekly close day (Monday) for weekly rows; "Meta may restate it" is: the period ended
 * at most `restatementDays` ago (Meta: "do not change after 28 days"). An operator's on-demand run
 * (`recollect`) re-collects that window whatever the day.
 *
 * Periods are fetched most recent first, `pieceSize` per piece: one piece is one set of `time_ranges` calls
 * (5 or 6, whatever the number of periods in it), written as soon as it is read, so a backfill goes on where
 * it stopped after a park or a crash.
 */
import { daysBetween, type IsoDate, isoWeekday } from './periods.ts';
import type { SummaryKind, SummaryPeriod } from './summary-periods.ts';

export type FetchReason = 'missing' | 'foreign' | 'restatement';

export interface PlannedPeriod extends SummaryPeriod {
  reason: FetchReason;
}

/** What the database says of one period (see the db package's `SummaryPeriodState`). */
export interface PeriodStateInput {
  row: { lastUpdated: string | null; dataSource: string | null } | null;
  book: {
    outcome: 'written' | 'unchanged' | 'empty';
    fetchedOn: string;
    writtenAt: string | null;
    /** The run of the last complete fetch. */
    runId?: string | null;
  } | null;
}

export interface SummaryPlanSettings {
  /** Closed periods younger than this (days since their last day) may still be restated by Meta. */
  restatementDays: number;
  /** Days of the month on which monthly rows in the restatement window are fetched again. */
  monthlyRecollectDays: readonly number[];
  /** ISO weekdays (1 = Monday) on which weekly rows in the restatement window are fetched again. */
  weeklyRecollectWeekdays: readonly number[];
  /** Periods per piece (one set of calls). */
  pieceSize: number;
}

export const DEFAULT_SUMMARY_PLAN_SETTINGS: SummaryPlanSettings = {
  restatementDays: 28,
  monthlyRecollectDays: [5, 8, 11, 15, 28],
  weeklyRecollectWeekdays: [1],
  pieceSize: 6,
};

export interface SummaryPlan {
  /** Every period to fetch, most recent first. */
  fetch: PlannedPeriod[];
  /** `fetch` cut into pieces of at most `pieceSize`. */
  pieces: PlannedPeriod[][];
  /** Whether today is a re-collection day for this kind (or the run asked for it). */
  recollecting: boolean;
}

const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Microseconds since the epoch of a Postgres / ISO timestamp, or null when it is not one. */
function epochMicros(value: string): bigint | null {
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, date, hh, mm, ss, fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${zone === 'Z' ? 'Z' : normalizeZone(zone)}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0'));
}

function normalizeZone(zone: string): string {
  if (/^[+-]\d{2}$/.test(zone)) return `${zone}:00`;
  if (/^[+-]\d{4}$/.test(zone)) return `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return zone;
}

/**
 * True when two timestamps name the same instant to the microsecond (Postgres keeps microseconds; a JS Date
 * would lose them and could take a row written in the same millisecond by someone else for ours).
 */
export function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = epochMicros(a);
  const y = epochMicros(b);
  return x !== null && y !== null && x === y;
}

/** The stored row is the one the engine wrote last (its last_updated is the engine's write time). */
export function isEngineRow(state: PeriodStateInput): boolean {
  return state.row !== null && sameInstant(state.row.lastUpdated, state.book?.writtenAt);
}

/**
 * Today's fetches for one client and kind (see the module comment).
 *
 * @example
 * planSummaryFetches({ kind: 'monthly', today: '2026-12-05', periods: closedPeriods('monthly', '2026-12-05', 12),
 *   states: new Map(), settings: DEFAULT_SUMMARY_PLAN_SETTINGS }).pieces.length // 2 (a first run: 12 months)
 */
export function planSummaryFetches(input: {
  kind: SummaryKind;
  today: IsoDate;
  /** The horizon, most recent first (`closedPeriods`). */
  periods: readonly SummaryPeriod[];
  /** By summary date. */
  states: ReadonlyMap<string, PeriodStateInput>;
  settings: SummaryPlanSettings;
  /** An on-demand re-collection: the restatement window whatever the day, fetched again even today. */
  recollect?: boolean;
  /** This run's id: what it already fetched today is done (it is back from a park or a retry). */
  runId?: string;
}): SummaryPlan {
  const { settings, today } = input;
  if (!Number.isInteger(settings.pieceSize) || settings.pieceSize < 1) {
    throw new RangeError(`pieceSize must be >= 1, got ${settings.pieceSize}`);
  }
  const recollecting =
    input.recollect === true ||
    (input.kind === 'monthly'
      ? settings.monthlyRecollectDays.includes(Number(today.slice(8, 10)))
      : settings.weeklyRecollectWeekdays.includes(isoWeekday(today)));
  const fetch: PlannedPeriod[] = [];
  for (const period of input.periods) {
    const state = input.states.get(period.summaryDate) ?? { row: null, book: null };
    if (state.book?.fetchedOn === today && (!input.recollect || state.book.runId === input.runId)) continue;
    const known = isEngineRow(state) || state.book?.outcome === 'empty';
    let reason: FetchReason | null;
    if (!known) reason = state.row === null ? 'missing' : 'foreign';
    else
      reason =
        recollecting && daysBetween(period.until, today) <= settings.restatementDays ? 'restatement' : null;
    if (reason) fetch.push({ ...period, reason });
  }
  fetch.sort((a, b) => (a.summaryDate < b.summaryDate ? 1 : a.summaryDate > b.summaryDate ? -1 : 0));
  const pieces: PlannedPeriod[][] = [];
  for (let i = 0; i < fetch.length; i += settings.pieceSize)
    pieces.push(fetch.slice(i, i + settings.pieceSize));
  return { fetch, pieces, recollecting };
}
