/**
 * @module test-support/limiter-cases
 * The limiter's behaviour table, shared by `limiter/limiter.test.ts` (one Redis) and
 * `tests/cluster-limiter.test.ts` (a Redis Cluster): every case on a fresh random key prefix, slots
 * compared with each other (exact, Redis time), delays against upper bounds and generous lower bounds.
 */
import { expect } from 'vitest';
import { accountKeys } from '../limiter/keys.ts';
import {
  type AcquireResult,
  createLimiter,
  type DenyReason,
  type Grant,
  type Limiter,
  type LimiterOptions,
  type UsageReport,
} from '../limiter/limiter.ts';
import type { RedisClient } from '../lua/loader.ts';
import { randomPrefix } from './redis.ts';

/** A steady account-wide pace of one call every `intervalMs` (with safetyFactor 1 and a 1-hour window). */
export function every(intervalMs: number, burst = 0) {
  return { callsPerHour: 3_600_000 / intervalMs, burst };
}

/** A BUC quota hint of `calls` per window. */
export function quota(calls: number) {
  return { callsPerHour: calls };
}

export type Settings = Omit<LimiterOptions, 'redis' | 'keyPrefix'>;

/** Test defaults: exact shares, a 1-s window without margin, nothing paced or limited unless a case says so, no jitter. */
export const BASE: Settings = {
  safetyFactor: 1,
  windowMs: 1_000,
  windowMarginMs: 0,
  paces: { ads_insights: { callsPerHour: 0 }, ads_management: { callsPerHour: 0 } },
  defaultPace: { callsPerHour: 0 },
  accountPace: null,
  maxConcurrentPerAccount: 0,
  random: () => 0,
};

/** A limiter on a fresh key base (recorded in `bases` for cleanup) with the test defaults and `settings`. */
export function newLimiter(
  redis: RedisClient,
  bases: string[],
  settings: Settings,
): { limiter: Limiter; keyPrefix: string } {
  const base = randomPrefix();
  bases.push(base);
  const keyPrefix = `${base}:limiter`;
  const merged = { ...BASE, ...settings, paces: { ...BASE.paces, ...settings.paces } };
  return { limiter: createLimiter({ ...merged, redis, keyPrefix }), keyPrefix };
}

type Outcome = 'granted' | DenyReason;

interface Expected {
  result: Outcome;
  /** The slot must equal another job's slot plus this many ms (exact). */
  slot?: [job: string, plusMs: number];
  /** The returned delay must lie in [min, max] ms. */
  delay?: [min: number, max: number];
}

type Step =
  | { acquire: string; account?: string; buc?: string; expect: Expected }
  | {
      usage: Omit<UsageReport, 'scope'> & { scope?: UsageReport['scope'] };
      factor?: number;
      blockedMs?: [number, number];
    }
  /** Meta's answer to a granted job's call: its usage teaches the quota (no pct = an answer without headers). */
  | { answer: string; pct?: number; account?: string; buc?: string; blockedMs?: [number, number] }
  | { release: string }
  | { expireLease: string; account?: string }
  | { sleep: number }
  | { waitForSlot: string };

export interface LimiterCase {
  name: string;
  settings: Settings;
  steps: Step[];
}

export const A = 'act_100';
export const B = 'act_200';

export const LIMITER_CASES: LimiterCase[] = [
  {
    name: 'before Meta has answered once for an (account, BUC), one call at a time',
    settings: { paces: { ads_insights: quota(100) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', delay: [1, 100] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'granted' } },
    ],
  },
  {
    name: 'window log: up to capacity calls at once, each next one when a call leaves the window',
    settings: { paces: { ads_insights: quota(3) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted', delay: [0, 0] } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'granted' } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 1_000], delay: [1, 1_000] } },
      { acquire: 'j5', expect: { result: 'paced', slot: ['j2', 1_000] } },
      { acquire: 'j6', expect: { result: 'paced', slot: ['j3', 1_000] } },
      { acquire: 'j7', expect: { result: 'paced', slot: ['j4', 1_000] } },
    ],
  },
  {
    name: 'the margin keeps a call out until the one it replaces has surely left Meta’s window',
    settings: { paces: { ads_insights: quota(1) }, windowMarginMs: 40 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_040] } },
    ],
  },
  {
    name: 'two accounts never delay each other',
    settings: { paces: { ads_insights: quota(1) } },
    steps: [
      { acquire: 'a1', account: A, expect: { result: 'granted' } },
      { answer: 'a1', account: A },
      { acquire: 'a2', account: A, expect: { result: 'paced', slot: ['a1', 1_000] } },
      { acquire: 'a3', account: A, expect: { result: 'paced', slot: ['a2', 1_000] } },
      { acquire: 'b1', account: B, expect: { result: 'granted', delay: [0, 0] } },
      { answer: 'b1', account: B },
      { acquire: 'b2', account: B, expect: { result: 'paced', slot: ['b1', 1_000] } },
      { acquire: 'a4', account: A, expect: { result: 'paced', slot: ['a3', 1_000] } },
    ],
  },
  {
    name: 'two BUCs of one account are independent',
    settings: { paces: { ads_insights: quota(1), ads_management: quota(1) } },
    steps: [
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { answer: 'i1', buc: 'ads_insights' },
      { acquire: 'i2', buc: 'ads_insights', expect: { result: 'paced', slot: ['i1', 1_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'granted', delay: [0, 0] } },
      { answer: 'm1', buc: 'ads_management' },
      { acquire: 'm2', buc: 'ads_management', expect: { result: 'paced', slot: ['m1', 1_000] } },
    ],
  },
  {
    name: 'the account-wide pace couples the BUCs of one account (ad-account score limit)',
    settings: { accountPace: every(1_000), windowMs: 3_600_000 },
    steps: [
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'paced', slot: ['i1', 1_000] } },
      { acquire: 'b1', account: B, buc: 'ads_management', expect: { result: 'granted' } },
    ],
  },
  {
    name: 'the account-wide pace allows its burst, and no burst while usage slows the account down',
    settings: { accountPace: every(1_000, 2), windowMs: 3_600_000 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'granted' } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 1_000] } },
      { usage: { adAccountId: B, utilizationPct: 96 }, factor: 2 },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
      // Slowed down (x2): the burst is gone, one call per doubled interval.
      { acquire: 'b2', account: B, expect: { result: 'paced', slot: ['b1', 2_000] } },
    ],
  },
  {
    name: 'a throttle blocks the (account, BUC) until the regain time; calls queue up after it',
    settings: { paces: { ads_insights: quota(1) }, windowMs: 3_600_000 },
    steps: [
      {
        usage: { adAccountId: A, buc: 'ads_insights', throttled: true, blockForMs: 60_000 },
        blockedMs: [50_000, 60_000],
      },
      { acquire: 'j1', expect: { result: 'blocked', delay: [50_000, 60_000] } },
      { acquire: 'j2', expect: { result: 'blocked', slot: ['j1', 3_600_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'granted' } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
    ],
  },
  {
    name: 'a throttle without a regain time blocks for the fallback',
    settings: { fallbackBlockMs: 30_000 },
    steps: [
      { usage: { adAccountId: A, buc: 'ads_insights', throttled: true }, blockedMs: [20_000, 30_000] },
      { acquire: 'j1', expect: { result: 'blocked', delay: [20_000, 30_000] } },
    ],
  },
  {
    name: "an account-wide throttle (buc '*') blocks every BUC of that account only",
    settings: {},
    steps: [
      { usage: { adAccountId: A, throttled: true, blockForMs: 20_000 }, blockedMs: [10_000, 20_000] },
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'blocked', delay: [10_000, 20_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'blocked', delay: [10_000, 20_000] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
    ],
  },
  {
    name: 'a longer block is not shortened by a later, shorter one',
    settings: {},
    steps: [
      { usage: { adAccountId: A, buc: 'ads_insights', blockForMs: 50_000 }, blockedMs: [40_000, 50_000] },
      { usage: { adAccountId: A, buc: 'ads_insights', blockForMs: 1_000 }, blockedMs: [40_000, 50_000] },
      { acquire: 'j1', expect: { result: 'blocked', delay: [40_000, 50_000] } },
    ],
  },
  {
    name: 'an app-wide block stops every account',
    settings: { paces: { ads_insights: quota(10) } },
    steps: [
      { usage: { scope: 'app', throttled: true, blockForMs: 10_000 }, blockedMs: [5_000, 10_000] },
      { acquire: 'a1', account: A, expect: { result: 'app_blocked', delay: [5_000, 10_000] } },
      {
        acquire: 'b1',
        account: B,
        buc: 'ads_management',
        expect: { result: 'app_blocked', delay: [5_000, 10_000] },
      },
    ],
  },
  {
    name: 'account-level usage (X-Ad-Account-Usage) slows the account-wide pace: x2 above 95 %, x4 above 99 %',
    settings: { accountPace: every(1_000), windowMs: 3_600_000 },
    steps: [
      { usage: { adAccountId: A, utilizationPct: 99.5 }, factor: 4 },
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { acquire: 'i2', buc: 'ads_insights', expect: { result: 'paced', slot: ['i1', 4_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'paced', slot: ['i1', 8_000] } },
      { usage: { adAccountId: A, utilizationPct: 50 }, factor: 1 },
      { acquire: 'm2', buc: 'ads_management', expect: { result: 'paced', slot: ['i1', 12_000] } },
      { acquire: 'm3', buc: 'ads_management', expect: { result: 'paced', slot: ['i1', 13_000] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
    ],
  },
  {
    name: 'leases: at most N jobs per account, released in finally, expired leases reclaimed',
    settings: { maxConcurrentPerAccount: 2, concurrencyRetryMs: 1_500 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'concurrency', delay: [1, 1_500] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
      { acquire: 'j1', expect: { result: 'granted' } },
      { release: 'j1' },
      { acquire: 'j3', expect: { result: 'granted' } },
      { acquire: 'j4', expect: { result: 'concurrency' } },
      { expireLease: 'j2' },
      { acquire: 'j4', expect: { result: 'granted' } },
      { acquire: 'j5', expect: { result: 'concurrency' } },
    ],
  },
  {
    name: 'leases expire after leaseTtlMs without a release (crashed worker)',
    settings: { maxConcurrentPerAccount: 1, leaseTtlMs: 50 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'concurrency', delay: [1, 50] } },
      { sleep: 120 },
      { acquire: 'j2', expect: { result: 'granted' } },
    ],
  },
  {
    name: 'a parked job keeps its reservation: asking again books nothing, at its slot it runs',
    settings: { paces: { ads_insights: quota(1) }, windowMs: 300, windowMarginMs: 50 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 350] } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 350] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 700] } },
      { waitForSlot: 'j2' },
      { acquire: 'j2', expect: { result: 'granted', slot: ['j1', 350] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 1_050] } },
    ],
  },
  {
    name: 'a job back later than the margin after its slot books again instead of bunching calls',
    settings: { paces: { ads_insights: quota(1) }, windowMs: 200, windowMarginMs: 20 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 220] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 440] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 660] } },
      { sleep: 520 },
      // j2's slot (+220) is long past: it goes behind j4, not into j3's window.
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 880] } },
    ],
  },
  {
    name: 'a job that meets a full account books nothing and keeps no slot it cannot use',
    settings: { paces: { ads_insights: quota(2) }, maxConcurrentPerAccount: 1 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1' },
      { acquire: 'j2', expect: { result: 'concurrency' } },
      { release: 'j1' },
      { acquire: 'j2', expect: { result: 'granted' } },
      { release: 'j2' },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 1_000] } },
    ],
  },
  {
    name: 'learned quota: answers of 20 % per call make the capacity 5 (told 100)',
    settings: { paces: { ads_insights: quota(100) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1', pct: 20 },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'granted' } },
      { acquire: 'j4', expect: { result: 'granted' } },
      { acquire: 'j5', expect: { result: 'granted' } },
      { acquire: 'j6', expect: { result: 'paced', slot: ['j1', 1_000] } },
    ],
  },
  {
    name: 'learned quota: an account Meta allows more gets more than it was told',
    settings: { paces: { ads_insights: quota(2) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1', pct: 10 },
      ...['j2', 'j3', 'j4', 'j5', 'j6', 'j7', 'j8', 'j9', 'j10'].map(
        (job): Step => ({ acquire: job, expect: { result: 'granted' } }),
      ),
      { acquire: 'j11', expect: { result: 'paced', slot: ['j1', 1_000] } },
    ],
  },
  {
    name: 'never a call into a full window: an answer of 100 % blocks until our oldest call leaves',
    settings: { paces: { ads_insights: quota(10) }, windowMs: 1_000, windowMarginMs: 10 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { answer: 'j1', pct: 100, blockedMs: [800, 1_010] },
      { acquire: 'j2', expect: { result: 'blocked', slot: ['j1', 1_010] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
    ],
  },
];

export async function runLimiterCase(
  redis: RedisClient,
  bases: string[],
  { settings, steps }: LimiterCase,
): Promise<void> {
  const { limiter, keyPrefix } = newLimiter(redis, bases, settings);
  const slots = new Map<string, number>();
  const retryAts = new Map<string, number>();
  const grants = new Map<string, Grant>();
  for (const [index, step] of steps.entries()) {
    const where = `step ${index + 1}: ${JSON.stringify(step)}`;
    if ('acquire' in step) {
      const result: AcquireResult = await limiter.acquire({
        adAccountId: step.account ?? A,
        buc: step.buc ?? 'ads_insights',
        jobId: step.acquire,
      });
      const outcome: Outcome = result.ok ? 'granted' : result.reason;
      expect(outcome, where).toBe(step.expect.result);
      const slot = result.ok ? result.slotAt : result.slotAt;
      if (step.expect.slot) {
        const [other, plus] = step.expect.slot;
        expect(slot, where).toBe(slots.get(other)! + plus);
      }
      if (step.expect.delay) {
        const delay = result.ok ? 0 : result.delayMs;
        expect(delay, where).toBeGreaterThanOrEqual(step.expect.delay[0]);
        expect(delay, where).toBeLessThanOrEqual(step.expect.delay[1]);
      }
      if (slot !== undefined && !slots.has(step.acquire)) slots.set(step.acquire, slot);
      if (result.ok) grants.set(step.acquire, result);
      else retryAts.set(step.acquire, result.retryAt);
    } else if ('usage' in step) {
      const outcome = await limiter.recordUsage({ scope: 'account', ...step.usage });
      if (step.factor !== undefined) expect(outcome.factor, where).toBe(step.factor);
      if (step.blockedMs) {
        expect(outcome.blockedForMs, where).toBeGreaterThanOrEqual(step.blockedMs[0]);
        expect(outcome.blockedForMs, where).toBeLessThanOrEqual(step.blockedMs[1]);
      }
    } else if ('answer' in step) {
      const grant = grants.get(step.answer)!;
      const outcome = await limiter.recordUsage({
        scope: 'account',
        adAccountId: step.account ?? A,
        buc: step.buc ?? 'ads_insights',
        member: grant.member,
        slotAt: grant.slotAt,
        ...(step.pct === undefined ? {} : { utilizationPct: step.pct }),
      });
      if (step.blockedMs) {
        expect(outcome.blockedForMs, where).toBeGreaterThanOrEqual(step.blockedMs[0]);
        expect(outcome.blockedForMs, where).toBeLessThanOrEqual(step.blockedMs[1]);
      }
    } else if ('release' in step) {
      await grants.get(step.release)!.release();
    } else if ('expireLease' in step) {
      // What a crashed worker leaves behind: a lease whose expiry has passed.
      const keys = accountKeys(keyPrefix, (step.account ?? A).replace('act_', ''));
      await redis.zadd(keys.leases, 'XX', 1, step.expireLease);
    } else if ('sleep' in step) {
      await sleep(step.sleep);
    } else {
      await sleep(Math.max(0, retryAts.get(step.waitForSlot)! - Date.now()) + 5);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
