/**
 * @module
 * Restatements: Meta changes past days' numbers after the fact (reference §3.3: insights keep
 * moving for up to 28 days). An admin action records, per account, a day range whose ad-day
 * records are re-drawn (`seedOffset`) and/or multiplied by factors; every later read of those
 * days (any level, breakdown, increment, sync or async) sees the new numbers, and period-level
 * reach is recomputed from them. Restatements are data, not randomness: the same list gives the
 * same numbers.
 */
import { z } from 'zod';
import { accountIdSchema } from '../config/schema.ts';
import { formatIsoDay, parseIsoDay } from '../util/dates.ts';

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((value) => parseIsoDay(value) !== null, { message: 'not a calendar date' });
const factor = z.number().min(0).max(1000);

/** `POST /__sandbox/restate` and `sandbox.restate()`. */
export const restateInputSchema = z
  .strictObject({
    accountId: accountIdSchema,
    since: isoDay,
    /** Inclusive; default: `since` (one day). */
    until: isoDay.optional(),
    /** Multiplies spend, impressions, reach, clicks and conversions (actions, values) alike. */
    factor: factor.optional(),
    /** Per-metric factors (override `factor`); `reach` defaults to the impressions factor. */
    factors: z
      .strictObject({
        spend: factor.optional(),
        impressions: factor.optional(),
        reach: factor.optional(),
        clicks: factor.optional(),
        conversions: factor.optional(),
      })
      .optional(),
    /** Re-draws the days' numbers from another seeded stream (before the factors apply). */
    seedOffset: z.number().int().min(1).max(1_000_000).optional(),
    /** Only these campaigns of the account (default: all). */
    campaignIds: z.array(z.string().regex(/^\d+$/)).min(1).optional(),
  })
  .refine(
    (input) => input.factor !== undefined || input.factors !== undefined || input.seedOffset !== undefined,
    {
      message: 'a restatement needs factor, factors or seedOffset',
    },
  );

export type RestateInput = z.input<typeof restateInputSchema>;

export interface RestatementFactors {
  spend: number;
  impressions: number;
  reach: number;
  clicks: number;
  conversions: number;
}

/** A stored restatement (epoch days, inclusive). */
export interface Restatement {
  id: number;
  since: number;
  until: number;
  campaignIds: ReadonlySet<string> | null;
  factors: RestatementFactors;
  seedOffset: number | null;
  /** Sandbox time when it was made (ms). */
  createdAt: number;
}

/** A restatement as the admin API shows it. */
export interface RestatementView {
  id: number;
  accountId: string;
  since: string;
  until: string;
  campaignIds: string[] | null;
  factors: RestatementFactors;
  seedOffset: number | null;
  createdAt: string;
}

/** Turns parsed input into a stored restatement (dates already validated). */
export function makeRestatement(
  input: z.output<typeof restateInputSchema>,
  id: number,
  createdAt: number,
): Restatement {
  const since = parseIsoDay(input.since) as number;
  const until = input.until === undefined ? since : (parseIsoDay(input.until) as number);
  const all = input.factor ?? 1;
  const impressions = input.factors?.impressions ?? all;
  return {
    id,
    since,
    until,
    campaignIds: input.campaignIds ? new Set(input.campaignIds) : null,
    factors: {
      spend: input.factors?.spend ?? all,
      impressions,
      reach: input.factors?.reach ?? input.factors?.impressions ?? all,
      clicks: input.factors?.clicks ?? all,
      conversions: input.factors?.conversions ?? all,
    },
    seedOffset: input.seedOffset ?? null,
    createdAt,
  };
}

export function viewRestatement(accountId: string, restatement: Restatement): RestatementView {
  return {
    id: restatement.id,
    accountId,
    since: formatIsoDay(restatement.since),
    until: formatIsoDay(restatement.until),
    campaignIds: restatement.campaignIds ? [...restatement.campaignIds] : null,
    factors: { ...restatement.factors },
    seedOffset: restatement.seedOffset,
    createdAt: new Date(restatement.createdAt).toISOString(),
  };
}
