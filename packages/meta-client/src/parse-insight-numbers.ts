/**
 * Pure conversion of one insights row: metric strings → numbers, action lists (`actions`,
 * `action_values`, `cost_per_action_type`, ...) → entries with numeric `value` and attribution
 * window columns. Ids, names, dates and breakdown values stay strings (ids exceed 2^53).
 */
import { metricNumber } from './metric-number.ts';

/** Scalar metrics Meta returns as strings. */
export const INSIGHT_NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  'impressions',
  'reach',
  'frequency',
  'clicks',
  'unique_clicks',
  'spend',
  'social_spend',
  'cpc',
  'cpm',
  'cpp',
  'ctr',
  'unique_ctr',
  'inline_link_clicks',
  'unique_inline_link_clicks',
  'inline_link_click_ctr',
  'unique_inline_link_click_ctr',
  'inline_post_engagement',
  'cost_per_inline_link_click',
  'cost_per_inline_post_engagement',
  'cost_per_unique_click',
  'cost_per_unique_inline_link_click',
  'full_view_impressions',
  'full_view_reach',
  'estimated_ad_recallers',
  'estimated_ad_recall_rate',
  'cost_per_estimated_ad_recallers',
  'canvas_avg_view_time',
  'canvas_avg_view_percent',
  'quality_score_organic',
]);

/** Columns inside action-list entries that hold numbers (besides `value`). */
const ACTION_NUMBER_KEY = /^(value|inline|default|dda|\d+d_(click|view|ev)|skan_.*)$/;

export interface ParsedAction {
  action_type?: string;
  value: number;
  [column: string]: string | number | undefined;
}

export type ParsedInsightRow = Record<string, unknown>;

export interface ParseInsightNumbersOptions {
  /** Extra scalar fields to convert (custom metrics). */
  numericFields?: Iterable<string>;
}

/**
 * @example
 * parseInsightNumbers({ campaign_id: '120200001', spend: '100.50', actions: [{ action_type: 'purchase', value: '3' }] })
 * // { campaign_id: '120200001', spend: 100.5, actions: [{ action_type: 'purchase', value: 3 }] }
 */
export function parseInsightNumbers(
  row: Readonly<Record<string, unknown>>,
  options: ParseInsightNumbersOptions = {},
): ParsedInsightRow {
  const extra = new Set(options.numericFields ?? []);
  const out: ParsedInsightRow = {};
  for (const [key, value] of Object.entries(row)) {
    if (INSIGHT_NUMERIC_FIELDS.has(key) || extra.has(key)) out[key] = metricNumber(value);
    else if (isActionList(value)) out[key] = value.map(parseAction);
    else out[key] = value;
  }
  return out;
}

/** Sum of `value` (or another numeric column such as `'1d_click'`) over entries of one `action_type`. */
export function actionValue(actions: unknown, actionType: string, column = 'value'): number {
  if (!Array.isArray(actions)) return 0;
  let sum = 0;
  for (const entry of actions) {
    if (isRecord(entry) && entry.action_type === actionType) sum += metricNumber(entry[column]);
  }
  return sum;
}

function parseAction(entry: Record<string, unknown>): ParsedAction {
  const out: ParsedAction = { value: 0 };
  for (const [key, value] of Object.entries(entry)) {
    if (ACTION_NUMBER_KEY.test(key)) out[key] = metricNumber(value);
    else if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  if (typeof entry.action_type === 'string') out.action_type = entry.action_type;
  return out;
}

function isActionList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => isRecord(v) && ('action_type' in v || 'value' in v))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
