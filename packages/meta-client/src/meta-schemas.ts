/**
 * zod schemas for the Graph objects this client returns. Objects are loose (Meta adds fields;
 * requested extra fields pass through) but the fields we rely on are checked.
 */
import { z } from 'zod';

const idString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

export const pagingSchema = z.looseObject({
  next: z.string().optional(),
  previous: z.string().optional(),
  cursors: z.looseObject({ after: z.string().optional(), before: z.string().optional() }).optional(),
});

function buildPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    data: z.array(item),
    paging: pagingSchema.optional(),
    summary: z.unknown().optional(),
  });
}

/**
 * Page schemas built so far, by item schema: building a zod schema (and compiling its fast path on first
 * use) costs more than parsing a page with it, and pages are read on every list call.
 */
const pageSchemas = new WeakMap<z.ZodType, ReturnType<typeof buildPageSchema>>();
let unknownItemPage: ReturnType<typeof buildPageSchema<z.ZodUnknown>> | undefined;

export function pageSchema<T extends z.ZodType>(item: T): ReturnType<typeof buildPageSchema<T>> {
  // Callers without an item schema pass a fresh `z.unknown()`: every such page has the same schema.
  if (item instanceof z.ZodUnknown) {
    unknownItemPage ??= buildPageSchema(z.unknown());
    return unknownItemPage as unknown as ReturnType<typeof buildPageSchema<T>>;
  }
  let schema = pageSchemas.get(item);
  if (!schema) {
    schema = buildPageSchema(item);
    pageSchemas.set(item, schema);
  }
  return schema as ReturnType<typeof buildPageSchema<T>>;
}

export const adAccountSchema = z.looseObject({
  id: z.string().min(1),
  account_id: idString.optional(),
  name: z.string().optional(),
  /** 1 ACTIVE, 2 DISABLED, 3 UNSETTLED, 7 PENDING_RISK_REVIEW, 8/102 PENDING_SETTLEMENT, 9 IN_GRACE_PERIOD, 100 PENDING_CLOSURE, 101 CLOSED. */
  account_status: z.number().int().optional(),
  disable_reason: z.number().int().optional(),
  currency: z.string().optional(),
  timezone_name: z.string().optional(),
  timezone_offset_hours_utc: z.number().optional(),
  amount_spent: z.string().optional(),
  spend_cap: z.string().optional(),
});
export type AdAccount = z.output<typeof adAccountSchema>;

export const campaignSchema = z.looseObject({
  id: idString,
  name: z.string().optional(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  objective: z.string().optional(),
});
export type Campaign = z.output<typeof campaignSchema>;

/** One insights row: metric values are strings; see `parseInsightNumbers`. */
export const insightsRowSchema = z.looseObject({
  date_start: z.string().optional(),
  date_stop: z.string().optional(),
});
export type InsightsRow = z.output<typeof insightsRowSchema>;

export const debugTokenSchema = z.looseObject({
  data: z.looseObject({
    app_id: idString.optional(),
    type: z.string().optional(),
    application: z.string().optional(),
    data_access_expires_at: z.number().optional(),
    /** 0 = never expires. */
    expires_at: z.number().optional(),
    is_valid: z.boolean(),
    issued_at: z.number().optional(),
    scopes: z.array(z.string()).optional(),
    granular_scopes: z
      .array(z.looseObject({ scope: z.string(), target_ids: z.array(idString).optional() }))
      .optional(),
    user_id: idString.optional(),
    error: z
      .looseObject({
        code: z.number().optional(),
        subcode: z.number().optional(),
        message: z.string().optional(),
      })
      .optional(),
  }),
});
export type DebugTokenData = z.output<typeof debugTokenSchema>['data'];

export const reportRunCreatedSchema = z.looseObject({ report_run_id: idString });
