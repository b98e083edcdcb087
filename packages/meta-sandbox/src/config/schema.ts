/**
 * @module
 * The sandbox configuration: zod schemas for the options of `startSandbox`, the CLI's JSON config
 * file and `PATCH /__sandbox/config`. Parsing fills every default, so the parsed form is complete
 * and is itself valid input (that is how PATCH re-validates a merged configuration).
 */
import { z } from 'zod';
import { isValidTimeZone } from '../util/dates.ts';

const rate = z.number().min(0).max(1);
const seconds = z.number().min(0);

/** An ad-account id: digits, optionally prefixed with `act_` (the prefix is dropped). */
export const accountIdSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((value) => String(value).trim().replace(/^act_/, ''))
  .refine((value) => /^\d{1,20}$/.test(value), {
    message: 'ad account id must be digits, optionally act_<digits>',
  });

const timestampSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a timestamp: ${String(value)}` });
    return z.NEVER;
  }
  return ms;
});

export const bucTypes = ['ads_insights', 'ads_management'] as const;

const quotaOverrideSchema = z.strictObject({
  ads_insights: z.number().positive().optional(),
  ads_management: z.number().positive().optional(),
});

/** One ad account of the synthetic world. */
export const accountSpecSchema = z.strictObject({
  id: accountIdSchema,
  name: z.string().min(1).optional(),
  /** IANA zone; the account's "today" and all insights dates are in it. */
  timezone: z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' }).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  /** `account_status`: 1 ACTIVE, 2 DISABLED, 3 UNSETTLED, 7, 8, 9, 100, 101, ... */
  status: z.number().int().nonnegative().optional(),
  /** `disable_reason`: 0 NONE ... 15 (reference §5.3). */
  disableReason: z.number().int().nonnegative().optional(),
  /** Access tier: `development` (Limited access) or `standard` (Full access). */
  tier: z.enum(['development', 'standard']).optional(),
  /** Active ads used in the quota formulas; default: the ACTIVE ads of the synthetic data. */
  activeAds: z.number().int().nonnegative().optional(),
  /** Explicit hourly quota per BUC (tests, benchmarks); replaces the formula. */
  quotaOverride: quotaOverrideSchema.optional(),
  campaigns: z.number().int().min(0).max(1000).optional(),
  adsetsPerCampaign: z.number().int().min(1).max(50).optional(),
  adsPerAdset: z.number().int().min(1).max(50).optional(),
  /** How phone contacts show up: native click_to_call actions, the PBM custom conversion, or pixel custom events in `conversions`. */
  contactProfile: z.enum(['native_call', 'pbm_custom', 'pbm_pixel']).optional(),
  /** Whether `omni_*` action types are sent next to `offsite_conversion.fb_pixel_*`. */
  omniActions: z.boolean().optional(),
  businessId: z.string().regex(/^\d+$/).optional(),
  /** Account creation date (YYYY-MM-DD); no delivery before it. */
  createdDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

/** A configured access token and the accounts it may read. */
export const tokenSpecSchema = z.strictObject({
  value: z.string().min(8, 'token values must have at least 8 characters'),
  state: z.enum(['valid', 'revoked', 'expired']).default('valid'),
  accountIds: z.union([z.literal('all'), z.array(accountIdSchema)]).default('all'),
  /** 460 (password changed / invalidated for security) or 467 (logged out). */
  revokedSubcode: z.union([z.literal(460), z.literal(467)]).default(460),
  /** For expired tokens: when it expired (default: one day before the sandbox start). */
  expiresAt: timestampSchema.optional(),
  issuedAt: timestampSchema.optional(),
  userId: z.string().regex(/^\d+$/).optional(),
  scopes: z.array(z.string()).optional(),
  /** A name for logs and admin output; token values are never shown. */
  label: z.string().optional(),
});

const latencySchema = z.union([
  z.strictObject({ fixedMs: seconds }),
  z.strictObject({ meanMs: seconds, jitterMs: seconds.default(0) }),
  z.strictObject({ p50Ms: z.number().positive(), p95Ms: z.number().positive() }),
]);

const reduceDataSchema = z.strictObject({
  /** Sync insights: total result rows above this -> "Please reduce the amount of data ...". */
  maxRows: z.number().int().positive().nullable().optional(),
  /** Sync insights: rows on the requested page x requested fields above this -> same error. */
  maxDataPointsPerPage: z.number().int().positive().nullable().optional(),
  /** Async report runs with more rows than this end `Job Failed` (-3 / 1504045). */
  asyncMaxRows: z.number().int().positive().nullable().optional(),
  /**
   * Report-run creation (`POST .../insights`): a range (first to last day) longer than this many
   * days -> "Please reduce the amount of data ..." (code 1, HTTP 500) instead of a report_run_id.
   */
  asyncCreateMaxDays: z.number().int().positive().nullable().optional(),
  /** `plain`: {code:1,message}; `wrapped`: code 1 / subcode 99 with error_user_msg. */
  form: z.enum(['plain', 'wrapped']).optional(),
});

/** The error a call answers inside an HTTP 200 (the `errorIn200Rate` quirk). */
const errorIn200Schema = z.strictObject({
  code: z.number().int(),
  error_subcode: z.number().int().optional(),
  message: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
});

const faultFields = {
  latency: latencySchema.nullable(),
  /** Share of Graph calls answered 500 (code 1) or 503 (code 2). */
  serverErrorRate: rate,
  serverErrorStatuses: z.array(z.union([z.literal(500), z.literal(503)])).min(1),
  /** Share of requests that never get a response. */
  hangRate: rate,
  /** Share of responses with a broken body. */
  malformedRate: rate,
  malformedKind: z.enum(['truncated', 'html', 'mixed']),
  reduceData: reduceDataSchema,
  asyncFailRate: rate,
  asyncSkipRate: rate,
  asyncFailure: z.enum(['too_large', 'try_again']),
  /** Share of report runs whose first status poll answers 100/33 (the creation/poll race). */
  asyncFirstPollNotFoundRate: rate,
  /** Share of non-final pages replaced by an empty page that still has `next`. */
  emptyPageRate: rate,
  /**
   * Share of insights pages (sync and report-run results) answered `data: []` with a `next` link,
   * whose `paging.cursors.after` equals the after cursor of the page that follows it (README).
   */
  emptyPageSharedCursorRate: rate,
  /** Share of batch items answered `null` (partial batch timeout). */
  batchNullItemRate: rate,
  /** Quirk: share of error answers sent as HTTP 403 with the error fields at the top level (no `error` wrapper). */
  bareErrorRate: rate,
  /** Quirk: share of calls answered HTTP 200 with `{"error":{...}}` (the `errorIn200` error). */
  errorIn200Rate: rate,
  errorIn200: errorIn200Schema,
};

const faultOverrideSchema = z.strictObject({
  latency: faultFields.latency.optional(),
  serverErrorRate: rate.optional(),
  serverErrorStatuses: faultFields.serverErrorStatuses.optional(),
  hangRate: rate.optional(),
  malformedRate: rate.optional(),
  malformedKind: faultFields.malformedKind.optional(),
  reduceData: reduceDataSchema.optional(),
  asyncFailRate: rate.optional(),
  asyncSkipRate: rate.optional(),
  asyncFailure: faultFields.asyncFailure.optional(),
  asyncFirstPollNotFoundRate: rate.optional(),
  emptyPageRate: rate.optional(),
  emptyPageSharedCursorRate: rate.optional(),
  batchNullItemRate: rate.optional(),
  bareErrorRate: rate.optional(),
  errorIn200Rate: rate.optional(),
  errorIn200: errorIn200Schema.optional(),
});

export const faultsSchema = z.strictObject({
  latency: faultFields.latency.default(null),
  serverErrorRate: rate.default(0),
  serverErrorStatuses: faultFields.serverErrorStatuses.default([500, 503]),
  hangRate: rate.default(0),
  malformedRate: rate.default(0),
  malformedKind: faultFields.malformedKind.default('mixed'),
  reduceData: reduceDataSchema.prefault({}),
  asyncFailRate: rate.default(0),
  asyncSkipRate: rate.default(0),
  asyncFailure: faultFields.asyncFailure.default('too_large'),
  asyncFirstPollNotFoundRate: rate.default(0),
  emptyPageRate: rate.default(0),
  emptyPageSharedCursorRate: rate.default(0),
  batchNullItemRate: rate.default(0),
  bareErrorRate: rate.default(0),
  errorIn200Rate: rate.default(0),
  errorIn200: errorIn200Schema.default({ code: 999, message: '(#999) An unexpected error occurred.' }),
  /** Per-account overrides, keyed by numeric account id. */
  byAccount: z.record(z.string(), faultOverrideSchema).default({}),
});

const scoreTierSchema = (maxScore: number, blockSeconds: number) =>
  z
    .strictObject({
      maxScore: z.number().positive().default(maxScore),
      decaySeconds: z.number().positive().default(300),
      blockSeconds: z.number().positive().default(blockSeconds),
    })
    .prefault({});

export const sandboxConfigSchema = z.strictObject({
  seed: z.union([z.string(), z.number()]).transform(String).default('1'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  /** Origin used in `paging.next` / `previous` links; default: the server's own URL. */
  publicUrl: z.url().nullable().default(null),
  /** Version used in links and `facebook-api-version` when a request has no /vNN.N prefix. */
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v26.0'),
  app: z
    .strictObject({
      id: z.string().regex(/^\d+$/).default('634974688087057'),
      name: z.string().default('Meta Sandbox'),
    })
    .prefault({}),
  systemUser: z
    .strictObject({
      id: z.string().regex(/^\d+$/).default('104169029247128'),
      name: z.string().default('Sandbox System User'),
    })
    .prefault({}),
  /** Sandbox clock start (epoch ms or ISO string); default: the real time at start. */
  startTime: timestampSchema.optional(),
  /** 1 = real time; 3600 = one sandbox hour per real second. */
  timeScale: z.number().positive().max(1e7).default(1),
  /** Shorthand for `faults.latency = { fixedMs }`. */
  latencyMs: z.number().min(0).optional(),
  /** A number generates that many accounts; default: three accounts (see README). */
  accounts: z.union([z.number().int().min(1).max(1000), z.array(accountSpecSchema).min(1)]).optional(),
  /** Defaults applied to every account that does not set the field itself (e.g. tier, quotaOverride). */
  accountDefaults: accountSpecSchema.omit({ id: true }).optional(),
  tokens: z.array(tokenSpecSchema).optional(),
  rateLimits: z
    .strictObject({
      enabled: z.boolean().default(true),
      windowMinutes: z.number().positive().default(60),
      /** Minutes blocked once call_count reaches 100, or `window`: until the rolling window has room. */
      blockMinutes: z.union([z.number().positive(), z.literal('window')]).default('window'),
      /**
       * How `call_count` / `total_time` / `total_cputime` (BUC and X-App-Usage) are written:
       * `integer` (whole percent, rounded down, as Meta's samples) or `fractional` (2 decimals).
       */
      usagePrecision: z.enum(['integer', 'fractional']).default('integer'),
    })
    .prefault({}),
  /**
   * The app-wide budget: calls per rolling window for the whole app (every account, the token's
   * own calls and batch items together). Always reported in `X-App-Usage`; enforced (code 4) only
   * when `enabled`.
   */
  appBudget: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Calls per window for the whole app. */
      callsPerWindow: z.number().positive().default(100_000),
      /** Window length in sandbox minutes; default: `rateLimits.windowMinutes`. */
      windowMinutes: z.number().positive().nullable().default(null),
      /** HTTP status of the plain `(#4) Application request limit reached` (the reference has 400 and 403). */
      plainStatus: z.union([z.literal(400), z.literal(403)]).default(403),
    })
    .prefault({}),
  /**
   * Marketing API v27 (reference §6, update 2026-12): apps created since 2026-11-04 cannot use
   * multi-ID requests (`?ids=`), field aliases (`field.as(alias)`) or async batch requests. True:
   * the sandbox refuses them with code 100; false: it serves `?ids=` and aliases like an older app.
   */
  appCreatedAfterV27: z.boolean().default(true),
  scoreLimiter: z
    .strictObject({
      enabled: z.boolean().default(false),
      errorForm: z.enum(['17', '613']).default('17'),
      development: scoreTierSchema(60, 300),
      standard: scoreTierSchema(9000, 60),
    })
    .prefault({}),
  appInsightsLoad: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Insights calls per sandbox second across all accounts; null = every insights call is throttled. */
      maxCallsPerSecond: z.number().positive().nullable().default(null),
      form: z.enum(['1504022', '1504039', 'plain']).default('1504022'),
    })
    .prefault({}),
  asyncJobs: z
    .strictObject({
      notStartedSeconds: seconds.default(1),
      startedSeconds: seconds.default(1),
      runningSeconds: seconds.default(8),
      expiryDays: z.number().positive().default(30),
    })
    .prefault({}),
  insights: z
    .strictObject({
      defaultLimit: z.number().int().positive().default(25),
      maxLimit: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  faults: faultsSchema.prefault({}),
  /** Adds `x-sandbox-time-scale` to responses so test clients can scale waits. */
  exposeTimeScaleHeader: z.boolean().default(true),
});

/** Input accepted by `startSandbox`, the CLI config file and (partly) PATCH. */
export type SandboxConfigInput = z.input<typeof sandboxConfigSchema>;
export type ParsedSandboxConfig = z.output<typeof sandboxConfigSchema>;
export type AccountSpec = z.input<typeof accountSpecSchema>;
export type TokenSpec = z.input<typeof tokenSpecSchema>;
export type ParsedTokenSpec = z.output<typeof tokenSpecSchema>;
export type FaultConfig = z.output<typeof faultsSchema>;
export type FaultConfigInput = z.input<typeof faultsSchema>;
export type FaultOverride = z.output<typeof faultOverrideSchema>;
export type FaultOverrideInput = z.input<typeof faultOverrideSchema>;
export type LatencySpec = z.output<typeof latencySchema>;
export type BucType = (typeof bucTypes)[number];
export type AccessTier = 'development' | 'standard';
export type TokenState = 'valid' | 'revoked' | 'expired';
export type ContactProfile = 'native_call' | 'pbm_custom' | 'pbm_pixel';

/** Keys PATCH /__sandbox/config may change (others are fixed for the life of a sandbox). */
export const patchableKeys = [
  'publicUrl',
  'timeScale',
  'latencyMs',
  'rateLimits',
  'scoreLimiter',
  'appInsightsLoad',
  'appBudget',
  'appCreatedAfterV27',
  'asyncJobs',
  'insights',
  'faults',
  'exposeTimeScaleHeader',
  'accounts',
] as const;

/** Per-account fields PATCH may change (`accounts: { "<id>": { ... } }`). */
export const accountPatchSchema = z.strictObject({
  name: z.string().min(1).optional(),
  status: z.number().int().nonnegative().optional(),
  disableReason: z.number().int().nonnegative().optional(),
  tier: z.enum(['development', 'standard']).optional(),
  activeAds: z.number().int().nonnegative().nullable().optional(),
  quotaOverride: quotaOverrideSchema.nullable().optional(),
});
export type AccountPatch = z.input<typeof accountPatchSchema>;
