/**
 * @module
 * Parses and validates the parameters of an insights request (sync or async) into a query.
 */
import { type GraphError, invalidParameterError, rangeTooOldError } from '../graph/errors.ts';
import { objectParam, type Params, parseJson, parseList, splitAlias } from '../graph/params.ts';
import { breakdownGroupFor, SUPPORTED_BREAKDOWNS } from '../world/breakdowns.ts';
import { type InsightsFilter, parseFiltering } from './filtering.ts';
import { resolveTime, type TimeBucket } from './time-ranges.ts';

export type InsightsLevel = 'account' | 'campaign' | 'adset' | 'ad';
export const LEVELS: readonly InsightsLevel[] = ['account', 'campaign', 'adset', 'ad'];

/** Fields the sandbox can return in insights rows. */
export const INSIGHTS_FIELDS = [
  'account_id',
  'account_name',
  'account_currency',
  'campaign_id',
  'campaign_name',
  'adset_id',
  'adset_name',
  'ad_id',
  'ad_name',
  'objective',
  'buying_type',
  'created_time',
  'updated_time',
  'date_start',
  'date_stop',
  'spend',
  'impressions',
  'clicks',
  'inline_link_clicks',
  'reach',
  'frequency',
  'ctr',
  'cpc',
  'cpm',
  'cpp',
  'inline_link_click_ctr',
  'cost_per_inline_link_click',
  'actions',
  'action_values',
  'conversions',
  'conversion_values',
  'cost_per_action_type',
  'cost_per_conversion',
  'purchase_roas',
  'quality_ranking',
  'engagement_rate_ranking',
  'conversion_rate_ranking',
  'quality_score_ectr',
  'quality_score_ecvr',
  'quality_score_organic',
] as const;

const FIELD_SET = new Set<string>(INSIGHTS_FIELDS);

export const ATTRIBUTION_WINDOWS = [
  '1d_view',
  '7d_view',
  '28d_view',
  '1d_click',
  '7d_click',
  '28d_click',
  '1d_ev',
  'dda',
  'default',
];

export const SORTABLE_FIELDS = [
  'impressions',
  'spend',
  'clicks',
  'reach',
  'inline_link_clicks',
  'ctr',
  'cpc',
  'cpm',
  'frequency',
] as const;
export type SortField = (typeof SORTABLE_FIELDS)[number];

export interface InsightsQuery {
  level: InsightsLevel;
  fields: string[];
  buckets: TimeBucket[];
  since: number;
  until: number;
  breakdowns: string[];
  filters: InsightsFilter[];
  sort: { field: SortField; descending: boolean } | null;
  attributionWindows: string[] | null;
  limit: number;
  /** `field.as(alias)` renames (older apps only), or null. */
  aliases: Map<string, string> | null;
}

export interface QueryContext {
  today: number;
  defaultLevel: InsightsLevel;
  defaultLimit: number;
  maxLimit: number;
}

/** Parses insights parameters; returns the query or the Graph error to send. */
export function parseInsightsQuery(params: Params, context: QueryContext): InsightsQuery | GraphError {
  const levelParam = params.get('level');
  if (levelParam !== undefined && !(LEVELS as readonly string[]).includes(levelParam)) {
    return invalidParameterError(`level must be one of the following values: ${LEVELS.join(', ')}`);
  }
  const level = (levelParam as InsightsLevel | undefined) ?? context.defaultLevel;

  let fields = ['impressions', 'spend'];
  let aliases: Map<string, string> | null = null;
  const fieldsParam = params.get('fields');
  if (fieldsParam !== undefined) {
    const list = parseList(fieldsParam);
    if (list === null) return invalidParameterError('fields must be a list of field names');
    if (list.length > 0) {
      const names: string[] = [];
      for (const entry of list) {
        const { name, alias } = splitAlias(entry);
        names.push(name);
        if (alias !== name) {
          aliases ??= new Map();
          aliases.set(name, alias);
        }
      }
      fields = [...new Set(names)];
    }
  }
  for (const field of fields) {
    if (!FIELD_SET.has(field)) {
      return invalidParameterError(
        `${field} is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values`,
      );
    }
  }

  const timeRangesRaw = params.get('time_ranges');
  let timeRanges: unknown;
  if (timeRangesRaw !== undefined) {
    timeRanges = parseJson(timeRangesRaw);
    if (timeRanges === undefined) return invalidParameterError('time_ranges must be a JSON list');
  }
  const timeRange = objectParam(params, 'time_range');
  if (timeRange === null)
    return invalidParameterError(
      "time_range must be a JSON object like {'since':'YYYY-MM-DD','until':'YYYY-MM-DD'}",
    );
  const time = resolveTime(
    {
      datePreset: params.get('date_preset'),
      timeRange,
      timeRanges,
      timeIncrement: params.get('time_increment'),
    },
    context.today,
  );
  if (!time.ok) return time.tooOld ? rangeTooOldError() : invalidParameterError(time.message);

  let breakdowns: string[] = [];
  const breakdownsParam = params.get('breakdowns');
  if (breakdownsParam !== undefined) {
    const list = parseList(breakdownsParam);
    if (list === null) return invalidParameterError('breakdowns must be a list');
    breakdowns = [...new Set(list)];
    for (const [index, name] of breakdowns.entries()) {
      if (!SUPPORTED_BREAKDOWNS.includes(name)) {
        return invalidParameterError(
          `breakdowns[${index}] must be one of the following values: ${SUPPORTED_BREAKDOWNS.join(', ')}`,
        );
      }
    }
    if (breakdownGroupFor(breakdowns) === 'mixed') {
      return invalidParameterError(
        `Current combination of data breakdown columns (${['action_type', ...breakdowns].sort().join(', ')}) is invalid `,
      );
    }
  }

  let filters: InsightsFilter[] = [];
  const filteringParam = params.get('filtering');
  if (filteringParam !== undefined) {
    const parsed = parseFiltering(parseJson(filteringParam));
    if (typeof parsed === 'string') return invalidParameterError(parsed);
    filters = parsed;
  }

  let sort: InsightsQuery['sort'] = null;
  const sortParam = params.get('sort');
  if (sortParam !== undefined) {
    const list = parseList(sortParam) ?? [];
    if (list.length > 1) return invalidParameterError('sort must contain at most one element');
    const first = list[0];
    if (first !== undefined) {
      const match = /^(.+)_(ascending|descending)$/.exec(first);
      if (!match || !(SORTABLE_FIELDS as readonly string[]).includes(match[1] ?? '')) {
        return invalidParameterError(
          `sort value ${first} is invalid; use <field>_ascending or <field>_descending`,
        );
      }
      sort = { field: match[1] as SortField, descending: match[2] === 'descending' };
    }
  }

  let attributionWindows: string[] | null = null;
  const windowsParam = params.get('action_attribution_windows');
  if (windowsParam !== undefined) {
    const list = parseList(windowsParam);
    if (list === null) return invalidParameterError('action_attribution_windows must be a list');
    for (const window of list) {
      if (!ATTRIBUTION_WINDOWS.includes(window)) {
        return invalidParameterError(
          `action_attribution_windows must be one of the following values: ${ATTRIBUTION_WINDOWS.join(', ')}`,
        );
      }
    }
    attributionWindows = list;
  }

  let limit = context.defaultLimit;
  const limitParam = params.get('limit');
  if (limitParam !== undefined) {
    const parsed = Number(limitParam);
    if (!Number.isInteger(parsed) || parsed < 1)
      return invalidParameterError('limit must be a positive integer');
    limit = Math.min(parsed, context.maxLimit);
  }

  return {
    level,
    fields,
    buckets: time.value.buckets,
    since: time.value.since,
    until: time.value.until,
    breakdowns,
    filters,
    sort,
    attributionWindows,
    limit,
    aliases,
  };
}
