/**
 * @module
 * The insights requests the worker sends, as data, and the helpers to split their answers.
 *
 * The app spends about 15 calls per client to refresh month and week (`app-contract.md` §5:
 * monthly ≈ 8, weekly ≈ 7–8), each period fetched separately. `time_ranges` returns several
 * ranges from ONE call, each aggregated on its own and tagged with its `date_start`/`date_stop`
 * (`meta-graph-api.md` §3.1), so the refresh plan asks each question once for both periods:
 * 5 calls, 6 with ad relevance. Every call is read to its last page (the app read the breakdown
 * tables as a single page and silently truncated them).
 *
 * Parameter names are Graph's own snake_case, matching `@meta-engine/meta-client`'s
 * `InsightsParams`, so a request's `params` can be passed through unchanged.
 */
import { type InsightsRow, rowString } from './insights-row.ts';
import {
  addDays,
  clampToInsightsHistory,
  type IsoDate,
  isIsoDate,
  type MonthPeriod,
  minDate,
  monthPeriod,
  type WeekPeriod,
  weekPeriod,
} from './periods.ts';

export interface TimeRange {
  /** `YYYY-MM-DD`, inclusive. */
  since: IsoDate;
  /** `YYYY-MM-DD`, inclusive. */
  until: IsoDate;
}

export type InsightsLevel = 'ad' | 'adset' | 'campaign' | 'account';

/** A structural subset of meta-client's `InsightsParams`. */
export interface InsightsRequestParams {
  level?: InsightsLevel;
  fields: readonly string[];
  time_range?: TimeRange;
  time_ranges?: readonly TimeRange[];
  time_increment?: number | 'monthly' | 'all_days';
  breakdowns?: readonly string[];
  use_unified_attribution_setting?: boolean;
  limit?: number;
}

export type InsightsPurpose =
  | 'campaigns'
  | 'account'
  | 'placement'
  | 'demographic'
  | 'geographic'
  | 'ad_relevance'
  | 'campaign_days';

/** One call on `GET act_<id>/insights`. */
export interface InsightsRequest {
  purpose: InsightsPurpose;
  params: InsightsRequestParams;
  /** A failed optional call leaves its table empty instead of failing the refresh. */
  optional: boolean;
  /** Why the call exists (for logs and reviewers). */
  why: string;
}

/** Page size of the app's insights calls; fewer pages means fewer calls against the account's quota. */
export const INSIGHTS_PAGE_SIZE = 500;

/** The app's campaign-level fields (`getCampaignInsights`, §2.1). */
export const CAMPAIGN_INSIGHTS_FIELDS = [
  'campaign_id',
  'campaign_name',
  'spend',
  'impressions',
  'clicks',
  'inline_link_clicks',
  'ctr',
  'inline_link_click_ctr',
  'cpc',
  'cost_per_inline_link_click',
  'cpm',
  'cpp',
  'reach',
  'frequency',
  'conversions',
  'actions',
  'action_values',
  'cost_per_action_type',
] as const;

/** The app's account-level fields (`getAccountInsights`): the source of stored CTR/CPC. */
export const ACCOUNT_INSIGHTS_FIELDS = [
  'spend',
  'impressions',
  'clicks',
  'inline_link_clicks',
  'ctr',
  'inline_link_click_ctr',
  'cpc',
  'cost_per_inline_link_click',
  'cpm',
  'cpp',
  'reach',
  'frequency',
  'conversions',
] as const;

/** Placement and demographic fields (`getPlacementPerformance`, `getDemographicPerformance`). */
export const BREAKDOWN_TABLE_FIELDS = [
  'impressions',
  'clicks',
  'spend',
  'cpm',
  'cpc',
  'ctr',
  'actions',
  'action_values',
  'conversions',
  'conversion_values',
] as const;

/** Geographic fields (`getGeographicPerformance`). */
export const GEOGRAPHIC_FIELDS = [
  'impressions',
  'clicks',
  'inline_link_clicks',
  'inline_link_click_ctr',
  'cost_per_inline_link_click',
  'spend',
  'cpm',
  'cpc',
  'ctr',
  'actions',
  'action_values',
  'conversions',
  'conversion_values',
] as const;

/** Ad relevance fields (`getAdRelevanceResults`), level=ad. */
export const AD_RELEVANCE_FIELDS = [
  'impressions',
  'clicks',
  'spend',
  'quality_score_ectr',
  'quality_score_ecvr',
  'engagement_rate_ranking',
  'conversion_rate_ranking',
] as const;

export interface RefreshCachePlan {
  periods: { month: MonthPeriod; week: WeekPeriod };
  /** The ranges asked for; split answers with `splitRowsByRange(rows, plan.ranges)`. */
  ranges: { month: TimeRange; week: TimeRange };
  requests: InsightsRequest[];
}

function uniqueRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const seen = new Set<string>();
  return ranges.filter((range) => {
    const key = `${range.since}|${range.until}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The refresh-cache calls for one client: current month and current ISO week in the account's
 * time zone (`today` = `localDate(now, timezone_name)`), at most 6 calls with every table.
 *
 * The month is asked up to today, not to its last day: the future holds no data, and a range
 * ending in the future is one Meta may answer with a clamped `date_stop`, which would make month
 * rows indistinguishable from week rows. The cache still stores the full month as its range.
 * When both ranges are the same (Monday the 1st), `time_ranges` holds it once and
 * `splitRowsByRange` gives the rows to both periods.
 *
 * The account object (`act_X?fields=currency,timezone_name,account_status`) is not in the plan:
 * the validate job reads it, and the time zone is needed before the plan can be built.
 *
 * @example
 * const plan = buildRefreshCachePlan({ today: localDate(new Date(), 'Europe/Warsaw') });
 * plan.requests.length // 5
 */
export function buildRefreshCachePlan(options: {
  today: IsoDate;
  includeAdRelevance?: boolean;
}): RefreshCachePlan {
  const { today } = options;
  if (!isIsoDate(today)) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const month = monthPeriod(today);
  const week = weekPeriod(today);
  const ranges = {
    month: { since: month.start, until: minDate(month.end, today) },
    week: { since: week.start, until: week.end },
  };
  const time_ranges = uniqueRanges([ranges.month, ranges.week]);
  const requests = periodInsightsRequests(time_ranges, { includeAdRelevance: options.includeAdRelevance });
  return { periods: { month, week }, ranges, requests };
}

/**
 * The period-level insights calls that answer everything the app stores for some periods at once: campaign
 * rows, the account row (de-duplicated CTR/CPC and reach), and the breakdown tables, each asked once with
 * `time_ranges` (every range aggregated on its own, rows tagged with `date_start`/`date_stop`). Shared by
 * the cache refresh (month + week) and the summaries (several closed months or weeks per call).
 *
 * @example
 * periodInsightsRequests([{ since: '2026-11-01', until: '2026-11-30' }], { includeAdRelevance: true }).length // 6
 */
export function periodInsightsRequests(
  time_ranges: readonly TimeRange[],
  options: { includeAdRelevance?: boolean | undefined } = {},
): InsightsRequest[] {
  if (time_ranges.length === 0) throw new RangeError('periodInsightsRequests: at least one range');

  const requests: InsightsRequest[] = [
    {
      purpose: 'campaigns',
      optional: false,
      why: 'Campaign rows of every range: campaigns, stats sums and the conversion funnel (§2.3, §3.3).',
      params: {
        level: 'campaign',
        fields: CAMPAIGN_INSIGHTS_FIELDS,
        time_ranges,
        use_unified_attribution_setting: true,
        limit: INSIGHTS_PAGE_SIZE,
      },
    },
    {
      purpose: 'account',
      optional: false,
      why: "Account-level CTR/CPC and reach: Meta's de-duplicated values, which the app stores instead of computing (§2.3).",
      params: { level: 'account', fields: ACCOUNT_INSIGHTS_FIELDS, time_ranges, limit: INSIGHTS_PAGE_SIZE },
    },
    {
      purpose: 'placement',
      optional: false,
      why: 'metaTables.placementPerformance (publisher_platform x platform_position).',
      params: {
        fields: BREAKDOWN_TABLE_FIELDS,
        breakdowns: ['publisher_platform', 'platform_position'],
        time_ranges,
        limit: INSIGHTS_PAGE_SIZE,
      },
    },
    {
      purpose: 'demographic',
      optional: false,
      why: 'metaTables.demographicPerformance (age x gender).',
      params: {
        fields: BREAKDOWN_TABLE_FIELDS,
        breakdowns: ['age', 'gender'],
        time_ranges,
        limit: INSIGHTS_PAGE_SIZE,
      },
    },
    {
      purpose: 'geographic',
      optional: false,
      why: 'metaTables.geographicPerformance (country x region), one call instead of the app region + country fallback pair.',
      params: {
        fields: GEOGRAPHIC_FIELDS,
        breakdowns: ['country', 'region'],
        time_ranges,
        use_unified_attribution_setting: true,
        limit: INSIGHTS_PAGE_SIZE,
      },
    },
  ];

  if (options.includeAdRelevance) {
    requests.push({
      purpose: 'ad_relevance',
      optional: true,
      why: 'metaTables.adRelevanceResults: ad-level rankings; the heaviest call and the first to time out (§6.6), so optional.',
      params: { level: 'ad', fields: AD_RELEVANCE_FIELDS, time_ranges, limit: INSIGHTS_PAGE_SIZE },
    });
  }

  return requests;
}

/**
 * collect-insights: campaign x day rows for `range`, with the fields the app reads
 * (`time_increment=1`, unified attribution, 500 rows a page).
 *
 * @example
 * buildCollectInsightsRequest({ since: '2026-06-21', until: '2026-07-19' }).params.time_increment // 1
 */
export function buildCollectInsightsRequest(range: TimeRange): InsightsRequest {
  if (!isIsoDate(range.since) || !isIsoDate(range.until) || range.since > range.until) {
    throw new RangeError(`Invalid range ${JSON.stringify(range)}`);
  }
  return {
    purpose: 'campaign_days',
    optional: false,
    why: 'Campaign x day rows: the raw campaign-day table and daily_kpi_data (§1.5).',
    params: {
      level: 'campaign',
      fields: CAMPAIGN_INSIGHTS_FIELDS,
      time_range: { since: range.since, until: range.until },
      time_increment: 1,
      use_unified_attribution_setting: true,
      limit: INSIGHTS_PAGE_SIZE,
    },
  };
}

/** Meta restates insights for 28 days (`meta-graph-api.md` §3.3), so each run re-reads that much. */
export const DEFAULT_LOOKBACK_DAYS = 28;

/**
 * The days collect-insights should read: from the high-water date minus the lookback (or, on the
 * first run, `backfillDays` ending yesterday) to yesterday, never older than Meta's 37 months.
 * `null` when there is nothing to read.
 *
 * @example
 * collectInsightsRange({ today: '2026-07-20', highWaterDate: '2026-07-19', backfillDays: 90 })
 * // { since: '2026-06-21', until: '2026-07-19' }
 */
export function collectInsightsRange(options: {
  /** Today in the account's time zone. */
  today: IsoDate;
  /** Last day already collected, if any. */
  highWaterDate?: IsoDate | null;
  lookbackDays?: number;
  /** Days to read on the first run (the caller's configuration; the 37-month clamp still applies). */
  backfillDays: number;
}): TimeRange | null {
  const lookback = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  if (!Number.isInteger(lookback) || lookback < 0)
    throw new RangeError(`lookbackDays must be >= 0, got ${lookback}`);
  if (!Number.isInteger(options.backfillDays) || options.backfillDays < 1) {
    throw new RangeError(`backfillDays must be >= 1, got ${options.backfillDays}`);
  }
  const until = addDays(options.today, -1);
  const start = options.highWaterDate
    ? addDays(options.highWaterDate, -lookback)
    : addDays(until, -(options.backfillDays - 1));
  const since = clampToInsightsHistory(start, options.today);
  return since <= until ? { since, until } : null;
}

/** Rows per named range, and the rows that matched none (a wiring bug worth failing on). */
export interface SplitRows<K extends string, R> {
  byRange: Record<K, R[]>;
  unmatched: R[];
}

/**
 * Splits a `time_ranges` answer by each row's `date_start`/`date_stop`. A row goes to EVERY range
 * it matches exactly, so identical ranges (deduplicated in the request) each get the rows.
 *
 * @example
 * const { byRange, unmatched } = splitRowsByRange(rows, plan.ranges);
 * byRange.month; byRange.week;
 */
export function splitRowsByRange<K extends string, R extends InsightsRow>(
  rows: readonly R[],
  ranges: Readonly<Record<K, TimeRange>>,
): SplitRows<K, R> {
  const keys = Object.keys(ranges) as K[];
  const byRange = Object.fromEntries(keys.map((key) => [key, [] as R[]])) as Record<K, R[]>;
  const unmatched: R[] = [];
  for (const row of rows) {
    const start = rowString(row, 'date_start');
    const stop = rowString(row, 'date_stop');
    let matched = false;
    for (const key of keys) {
      const range = ranges[key];
      if (range.since === start && range.until === stop) {
        byRange[key].push(row);
        matched = true;
      }
    }
    if (!matched) unmatched.push(row);
  }
  return { byRange, unmatched };
}
