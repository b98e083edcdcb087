/**
 * @module
 * The closed periods of `campaign_summaries` (`app-contract.md` §1.4) in the ad account's time zone: a
 * monthly row per calendar month (`summary_date` = the 1st), a weekly row per ISO week (`summary_date` = the
 * Monday, CHECK `weekly_must_be_monday`). Only periods that ended before the account's today are "closed":
 * the app's weekly collector also wrote the running week, which then changed every day and was re-fetched
 * every Sunday; the running periods are the caches' job (`current_month_cache` / `current_week_cache`).
 *
 * Meta serves 37 months (`meta-graph-api.md` §3.3): a period starting before that limit is left out.
 */
import {
  addDays,
  addMonths,
  earliestInsightsDate,
  type IsoDate,
  isIsoDate,
  isoMonday,
  monthPeriodId,
  weekPeriodId,
} from './periods.ts';

export type SummaryKind = 'monthly' | 'weekly';

/** One closed period of one kind. */
export interface SummaryPeriod {
  kind: SummaryKind;
  /** `campaign_summaries.summary_date`: the 1st of the month or the ISO Monday. */
  summaryDate: IsoDate;
  /** First and last day, inclusive (what `time_ranges` asks for). */
  since: IsoDate;
  until: IsoDate;
  /** `2026-11` or `2026-W53` (ISO week-year), for logs and results. */
  label: string;
}

/** The calendar month starting on `first` as a summary period. */
export function monthSummaryPeriod(first: IsoDate): SummaryPeriod {
  if (!isIsoDate(first) || !first.endsWith('-01')) throw new RangeError(`not the 1st of a month: ${first}`);
  return {
    kind: 'monthly',
    summaryDate: first,
    since: first,
    until: addDays(addMonths(first, 1), -1),
    label: monthPeriodId(first),
  };
}

/** The ISO week starting on `monday` as a summary period. */
export function weekSummaryPeriod(monday: IsoDate): SummaryPeriod {
  if (isoMonday(monday) !== monday) throw new RangeError(`not a Monday: ${monday}`);
  return {
    kind: 'weekly',
    summaryDate: monday,
    since: monday,
    until: addDays(monday, 6),
    label: weekPeriodId(monday),
  };
}

/**
 * The last `count` closed periods of `kind` before `today` (the account's local date), most recent first,
 * without those Meta no longer serves (37 months).
 *
 * @example
 * closedPeriods('weekly', '2027-01-11', 2).map((p) => p.label) // ['2027-W01', '2026-W53']
 * closedPeriods('monthly', '2027-01-11', 1)[0]                 // { summaryDate: '2026-12-01', until: '2026-12-31', ... }
 */
export function closedPeriods(kind: SummaryKind, today: IsoDate, count: number): SummaryPeriod[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be >= 0, got ${count}`);
  const earliest = earliestInsightsDate(today);
  const periods: SummaryPeriod[] = [];
  if (kind === 'monthly') {
    let first = addMonths(`${monthPeriodId(today)}-01`, -1);
    while (periods.length < count && first >= earliest) {
      periods.push(monthSummaryPeriod(first));
      first = addMonths(first, -1);
    }
  } else {
    let monday = addDays(isoMonday(today), -7);
    while (periods.length < count && monday >= earliest) {
      periods.push(weekSummaryPeriod(monday));
      monday = addDays(monday, -7);
    }
  }
  return periods;
}
