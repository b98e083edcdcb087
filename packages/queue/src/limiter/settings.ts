/**
 * Limiter settings: defaults for a development-tier Meta app, validated overrides, per-account overrides.
 */
import { z } from 'zod';
import { LimiterError } from '../errors/limiter-error.ts';
import { DEFAULT_SLOWDOWN, type SlowdownStep } from './slowdown.ts';

/**
 * A Meta quota for one business use case (or the whole account), per ad account. For a BUC it is only the
 * starting hint: the limiter learns the real quota from Meta's usage headers (quota-estimate.lua) and books
 * calls in a log of Meta's rolling window, so a BUC may use its whole window at once (`burst` is ignored).
 * For the account-wide pace (Meta's ad-account score limit) it is a steady pace with a `burst`.
 */
export interface PaceConfig {
  /** Calls Meta allows per rolling hour (in Meta's time; see `windowMs`), before the safety factor. 0 = not paced. */
  callsPerHour: number;
  /** Account-wide pace only: calls allowed back to back on top of the first (GCRA burst). Default 0. */
  burst?: number;
}

export interface LimiterSettings {
  /** Base of every limiter key (default `meta:limiter`, see `limiterKeyPrefixFor`). */
  keyPrefix: string;
  /** Share of each learned quota (and of the app's learned budget) the limiter books (default 0.9). */
  safetyFactor: number;
  /**
   * Meta's rolling window in real ms (one hour; the sandbox's compressed hour is 3,600,000 / timeScale). Quota
   * hints (`callsPerHour`) are per Meta hour, i.e. per window.
   */
  windowMs: number;
  /** Slack added when a call leaves the window (the time a call takes to reach Meta); default 1 % of the window, at least 25 ms. */
  windowMarginMs: number;
  /** Before Meta has answered once for an (account, BUC), one call at a time; a probe unanswered this long is given up. */
  probeTtlMs: number;
  /** How long a call waits for the probe's answer before asking again. */
  probeRetryMs: number;
  /** How long a learned quota is kept without new answers (default one day of Meta time). */
  quotaMemoryMs: number;
  /** Pace per business use case (`ads_management`, `ads_insights`, ...). */
  paces: Readonly<Record<string, PaceConfig>>;
  /** Pace for a BUC missing from `paces`. */
  defaultPace: PaceConfig;
  /** Pace of all calls of one account together (Meta's ad-account score limit); null = none. */
  accountPace: PaceConfig | null;
  /** Jobs per ad account running at once, across all workers; 0 = unlimited. */
  maxConcurrentPerAccount: number;
  /** A lease not released or extended within this is reclaimed (a crashed worker's lease). */
  leaseTtlMs: number;
  /** A job that finds every lease taken comes back after this (or the next lease expiry, if sooner). */
  concurrencyRetryMs: number;
  /** Random extra wait, as a fraction of the concurrency retry, so parked jobs do not return together. */
  concurrencyJitter: number;
  /** How long a reservation stays valid after its slot (a job returning later books again). */
  reservationGraceMs: number;
  /** A slot this close counts as due (clock granularity of delayed-job promotion). */
  earlyToleranceMs: number;
  /** Usage-based slowdown steps. */
  slowdown: readonly SlowdownStep[];
  /** How long a slowdown lasts without fresh usage headers. */
  usageTtlMs: number;
  /** Block after an account throttle when Meta gives no regain time (dev tier: the 300 s score block). */
  fallbackBlockMs: number;
  /** Block after an app-level throttle when Meta gives no time. */
  appFallbackBlockMs: number;
  /** Upper bound on any block. */
  maxBlockMs: number;
  /** Random extra wait (ms, uniform) added to app-blocked jobs so they do not return together. */
  appBlockJitterMs: number;
}

/** Overrides for one ad account (e.g. a standard-tier account, or tests). */
export interface AccountLimits {
  /** Pace per BUC for this account (wins over everything else). */
  paces?: Readonly<Record<string, PaceConfig>>;
  /** Pace for every other BUC of this account (wins over the global `paces`). */
  defaultPace?: PaceConfig;
  /** Account-wide pace for this account; null = none. */
  accountPace?: PaceConfig | null;
  /** Concurrent jobs for this account; 0 = unlimited. */
  maxConcurrent?: number;
}

export type AccountOverrides =
  | Readonly<Record<string, AccountLimits>>
  | ((adAccountId: string) => AccountLimits | undefined);

/**
 * Development-tier quotas per ad account and hour (reference/meta-graph-api.md §1.2–1.3):
 * ads_management 300 + 40 x active ads, ads_insights 600 + 400 x active ads, custom_audience 5000;
 * the ad-account score allows 60 reads per 300 s (720 per hour). Active ads are not known up front: the base
 * quota is only where each (account, BUC) starts; the limiter learns its real quota from Meta's usage headers.
 */
export const DEFAULT_LIMITER_SETTINGS: LimiterSettings = {
  keyPrefix: 'meta:limiter',
  safetyFactor: 0.9,
  windowMs: 3_600_000,
  windowMarginMs: 36_000,
  probeTtlMs: 10_000,
  probeRetryMs: 100,
  quotaMemoryMs: 24 * 3_600_000,
  paces: {
    ads_management: { callsPerHour: 300, burst: 2 },
    ads_insights: { callsPerHour: 600, burst: 3 },
    custom_audience: { callsPerHour: 5_000, burst: 5 },
  },
  defaultPace: { callsPerHour: 300, burst: 1 },
  accountPace: { callsPerHour: 720, burst: 5 },
  maxConcurrentPerAccount: 2,
  leaseTtlMs: 10 * 60_000,
  concurrencyRetryMs: 2_000,
  concurrencyJitter: 0.25,
  reservationGraceMs: 10 * 60_000,
  earlyToleranceMs: 25,
  slowdown: DEFAULT_SLOWDOWN,
  usageTtlMs: 15 * 60_000,
  fallbackBlockMs: 5 * 60_000,
  appFallbackBlockMs: 60_000,
  maxBlockMs: 2 * 3_600_000,
  appBlockJitterMs: 1_000,
};

const paceSchema = z.strictObject({
  callsPerHour: z.number().min(0).max(1e9),
  burst: z.int().min(0).max(10_000).optional(),
});
const ms = z
  .int()
  .min(0)
  .max(7 * 24 * 3_600_000);

const settingsSchema = z.strictObject({
  keyPrefix: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.:-]+$/, {
      error: 'use letters, digits and "_.:-" (no hash tag: accounts get their own)',
    }),
  safetyFactor: z.number().gt(0).max(1),
  windowMs: ms.min(1),
  windowMarginMs: ms,
  probeTtlMs: ms.min(1),
  probeRetryMs: ms.min(1),
  quotaMemoryMs: z.int().min(1),
  paces: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), paceSchema),
  defaultPace: paceSchema,
  accountPace: paceSchema.nullable(),
  maxConcurrentPerAccount: z.int().min(0).max(10_000),
  leaseTtlMs: ms.min(1),
  concurrencyRetryMs: ms.min(1),
  concurrencyJitter: z.number().min(0).max(1),
  reservationGraceMs: ms,
  earlyToleranceMs: ms.max(60_000),
  slowdown: z.array(z.strictObject({ atPct: z.number().min(0), factor: z.number().min(1).max(1_000) })),
  usageTtlMs: ms.min(1),
  fallbackBlockMs: ms.min(1),
  appFallbackBlockMs: ms.min(1),
  maxBlockMs: ms.min(1),
  appBlockJitterMs: ms,
});

/** Merges overrides onto the defaults (`paces` merge per BUC) and validates the result. */
export function resolveLimiterSettings(overrides: Partial<LimiterSettings> = {}): LimiterSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const windowMs = overrides.windowMs ?? DEFAULT_LIMITER_SETTINGS.windowMs;
  const merged = {
    ...DEFAULT_LIMITER_SETTINGS,
    windowMarginMs: Math.max(25, Math.ceil(windowMs * 0.01)),
    quotaMemoryMs: 24 * windowMs,
    ...defined,
    paces: { ...DEFAULT_LIMITER_SETTINGS.paces, ...overrides.paces },
  };
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new LimiterError('invalid_argument', `invalid limiter settings: ${issues.join('; ')}`);
  }
  return merged;
}

/**
 * Emission interval of the account-wide pace in real ms (0 = not paced): one Meta hour (`windowMs`) /
 * (callsPerHour x safetyFactor), rounded up.
 */
export function accountIntervalMsFor(
  pace: PaceConfig | null | undefined,
  settings: Pick<LimiterSettings, 'safetyFactor' | 'windowMs'>,
): number {
  if (!pace || pace.callsPerHour <= 0) return 0;
  return Math.max(1, Math.ceil(settings.windowMs / (pace.callsPerHour * settings.safetyFactor)));
}

/** The effective limits of one (account, BUC) after per-account overrides. */
export interface EffectiveLimits {
  /** The BUC's quota assumed before Meta's answers teach the real one, in calls per window (0 = not paced). */
  quotaHint: number;
  accountIntervalMs: number;
  accountBurst: number;
  maxConcurrent: number;
}

/** Calls per window of a per-hour pace (`windowMs` is Meta's hour in real ms). */
export function quotaPerWindow(pace: PaceConfig | null | undefined): number {
  if (!pace || pace.callsPerHour <= 0) return 0;
  return pace.callsPerHour;
}

export function effectiveLimits(
  settings: LimiterSettings,
  overrides: AccountOverrides | undefined,
  adAccountId: string,
  buc: string,
): EffectiveLimits {
  const account = typeof overrides === 'function' ? overrides(adAccountId) : overrides?.[adAccountId];
  const bucPace =
    account?.paces?.[buc] ?? account?.defaultPace ?? settings.paces[buc] ?? settings.defaultPace;
  const accountPace = account?.accountPace !== undefined ? account.accountPace : settings.accountPace;
  return {
    quotaHint: quotaPerWindow(bucPace),
    accountIntervalMs: accountIntervalMsFor(accountPace, settings),
    accountBurst: accountPace?.burst ?? 0,
    maxConcurrent: account?.maxConcurrent ?? settings.maxConcurrentPerAccount,
  };
}
