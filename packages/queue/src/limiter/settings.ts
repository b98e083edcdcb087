/**
 * Limiter settings: defaults for a development-tier Meta app, validated overrides, per-account overrides.
 */
import { z } from 'zod';
import { LimiterError } from '../errors/limiter-error.ts';
import { DEFAULT_SLOWDOWN, type SlowdownStep } from './slowdown.ts';

/** A Meta quota for one business use case (or the whole account), per ad account. */
export interface PaceConfig {
  /** Calls Meta allows per rolling hour, before the safety factor. 0 = not paced. */
  callsPerHour: number;
  /** Calls allowed back to back on top of the first (GCRA burst). Default 0. */
  burst?: number;
}

export interface LimiterSettings {
  /** Base of every limiter key (default `meta:limiter`, see `limiterKeyPrefixFor`). */
  keyPrefix: string;
  /** Share of Meta's quota the limiter uses (default 0.8: a 20 % margin for retries and other tools). */
  safetyFactor: number;
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
 * the ad-account score allows 60 reads per 300 s (720 per hour). Active ads are not known up front, so the
 * base quota is used; the usage headers slow an account down before it runs out.
 */
export const DEFAULT_LIMITER_SETTINGS: LimiterSettings = {
  keyPrefix: 'meta:limiter',
  safetyFactor: 0.8,
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
  const merged = {
    ...DEFAULT_LIMITER_SETTINGS,
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

/** Emission interval of a pace in ms (0 = not paced): 3,600,000 / (callsPerHour x safetyFactor), rounded up. */
export function intervalMsFor(pace: PaceConfig | null | undefined, safetyFactor: number): number {
  if (!pace || pace.callsPerHour <= 0) return 0;
  return Math.max(1, Math.ceil(3_600_000 / (pace.callsPerHour * safetyFactor)));
}

/** The effective limits of one (account, BUC) after per-account overrides. */
export interface EffectiveLimits {
  bucIntervalMs: number;
  bucBurst: number;
  accountIntervalMs: number;
  accountBurst: number;
  maxConcurrent: number;
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
    bucIntervalMs: intervalMsFor(bucPace, settings.safetyFactor),
    bucBurst: bucPace.burst ?? 0,
    accountIntervalMs: intervalMsFor(accountPace, settings.safetyFactor),
    accountBurst: accountPace?.burst ?? 0,
    maxConcurrent: account?.maxConcurrent ?? settings.maxConcurrentPerAccount,
  };
}
