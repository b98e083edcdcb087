/**
 * Insights request parameters (`reference/meta-graph-api.md` §3.1), with Graph's own snake_case
 * names so they go to the wire unchanged, and a zod schema that rejects impossible values before
 * a call is spent on them.
 */
import { z } from 'zod';
import { daysInMonth } from './calendar.ts';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';

export interface TimeRange {
  /** `YYYY-MM-DD`, inclusive. */
  since: string;
  /** `YYYY-MM-DD`, inclusive. */
  until: string;
}

export type InsightsLevel = 'ad' | 'adset' | 'campaign' | 'account';
export type TimeIncrement = number | 'monthly' | 'all_days';

export interface InsightsFilter {
  field: string;
  operator: string;
  value?: unknown;
}

export interface InsightsParams {
  level?: InsightsLevel;
  fields?: readonly string[];
  time_range?: TimeRange;
  /** Overrides `time_range` and `time_increment` (each range is aggregated on its own). */
  time_ranges?: readonly TimeRange[];
  date_preset?: string;
  /** 1–90 days, `monthly` or `all_days` (Meta's default). */
  time_increment?: TimeIncrement;
  breakdowns?: readonly string[];
  action_breakdowns?: readonly string[];
  action_attribution_windows?: readonly string[];
  action_report_time?: 'impression' | 'conversion' | 'mixed' | 'lifetime';
  filtering?: readonly InsightsFilter[];
  sort?: readonly string[];
  use_unified_attribution_setting?: boolean;
  use_account_attribution_setting?: boolean;
  /** Page size (default 100 in this client). */
  limit?: number;
}

/** Page size used when the caller gives none (Airbyte and Singer use 100, §3.1). */
export const DEFAULT_INSIGHTS_LIMIT = 100;

/** True when `YYYY-MM-DD` (already matched) names a real day. */
function isCalendarDate(s: string): boolean {
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(s.slice(0, 4)), month);
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isCalendarDate, { message: 'not a calendar date' });

const timeRange = z
  .object({ since: isoDate, until: isoDate })
  .refine((r) => r.since <= r.until, { message: 'since is after until' });

export const insightsParamsSchema = z.looseObject({
  level: z.enum(['ad', 'adset', 'campaign', 'account']).optional(),
  fields: z.array(z.string().min(1)).optional(),
  time_range: timeRange.optional(),
  time_ranges: z.array(timeRange).min(1).optional(),
  date_preset: z.string().min(1).optional(),
  time_increment: z
    .union([z.number().int().min(1).max(90), z.literal('monthly'), z.literal('all_days')])
    .optional(),
  breakdowns: z.array(z.string().min(1)).optional(),
  action_breakdowns: z.array(z.string().min(1)).optional(),
  action_attribution_windows: z.array(z.string().min(1)).optional(),
  filtering: z.array(z.looseObject({ field: z.string().min(1), operator: z.string().min(1) })).optional(),
  sort: z.array(z.string()).max(1).optional(),
  use_unified_attribution_setting: z.boolean().optional(),
  use_account_attribution_setting: z.boolean().optional(),
  limit: z.number().int().min(1).optional(),
});

/** Throws `MetaInvalidRequestError` naming the first bad field. */
export function validateInsightsParams(params: InsightsParams, path?: string): InsightsParams {
  const result = insightsParamsSchema.safeParse(params);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue ? issue.path.join('.') : '';
    throw new MetaInvalidRequestError(
      `Invalid insights params: ${field || 'params'}: ${issue?.message ?? 'invalid'}`,
      {
        field,
        path,
      },
    );
  }
  if (params.time_range && params.time_ranges) {
    throw new MetaInvalidRequestError('Invalid insights params: give time_range or time_ranges, not both', {
      field: 'time_ranges',
      path,
    });
  }
  return params;
}
