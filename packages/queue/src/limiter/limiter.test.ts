/**
 * The limiter's Lua scripts on a real Redis, one random key prefix per case. Slots are compared with each
 * other (exact, Redis time); delays are checked against upper bounds (a delay only shrinks as time passes)
 * and generous lower bounds, so nothing depends on how fast this machine is.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLimiterError } from '../errors/limiter-error.ts';
import { runScript } from '../lua/loader.ts';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';
import { accountKeys } from './keys.ts';
import {
  type AcquireResult,
  createLimiter,
  type DenyReason,
  type Grant,
  type Limiter,
  type LimiterOptions,
  type UsageReport,
} from './limiter.ts';
import { resolveLimiterSettings } from './settings.ts';

let redis: Redis;
const bases: string[] = [];

beforeAll(() => {
  redis = testRedis();
});

afterAll(async () => {
  for (const base of bases) await deleteKeys(redis, base);
  await redis.quit();
});

/** A pace of one call every `intervalMs` (with safetyFactor 1). */
function every(intervalMs: number, burst = 0) {
  return { callsPerHour: 3_600_000 / intervalMs, burst };
}

type Settings = Omit<LimiterOptions, 'redis' | 'keyPrefix'>;

/** Test defaults: exact intervals, nothing paced or limited unless a case says so, no jitter. */
const BASE: Settings = {
  safetyFactor: 1,
  paces: { ads_insights: { callsPerHour: 0 }, ads_management: { callsPerHour: 0 } },
  defaultPace: { callsPerHour: 0 },
  accountPace: null,
  maxConcurrentPerAccount: 0,
  random: () => 0,
};

function newLimiter(settings: Settings): { limiter: Limiter; keyPrefix: string } {
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
  | { acquire: string; account?: string; buc?: string; cost?: number; expect: Expected }
  | {
      usage: Omit<UsageReport, 'scope'> & { scope?: UsageReport['scope'] };
      factor?: number;
      blockedMs?: [number, number];
    }
  | { release: string }
  | { expireLease: string; account?: string }
  | { sleep: number }
  | { waitForSlot: string };

interface Case {
  name: string;
  settings: Settings;
  steps: Step[];
}

const A = 'act_100';
const B = 'act_200';

const cases: Case[] = [
  {
    name: 'burst: 1 + burst calls run at once, then one per interval',
    settings: { paces: { ads_insights: every(1_000, 2) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted', delay: [0, 0] } },
      { acquire: 'j2', expect: { result: 'granted' } },
      { acquire: 'j3', expect: { result: 'granted' } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 1_000], delay: [1, 1_000] } },
      { acquire: 'j5', expect: { result: 'paced', slot: ['j1', 2_000], delay: [1, 2_000] } },
    ],
  },
  {
    name: 'steady rate: N reservations get slots one interval apart',
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_000], delay: [1, 1_000] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 2_000], delay: [1, 2_000] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 3_000], delay: [1, 3_000] } },
      { acquire: 'j5', expect: { result: 'paced', slot: ['j1', 4_000], delay: [1, 4_000] } },
      { acquire: 'j6', expect: { result: 'paced', slot: ['j1', 5_000], delay: [1, 5_000] } },
    ],
  },
  {
    name: 'two accounts never delay each other',
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      { acquire: 'a1', account: A, expect: { result: 'granted' } },
      { acquire: 'a2', account: A, expect: { result: 'paced', slot: ['a1', 1_000] } },
      { acquire: 'a3', account: A, expect: { result: 'paced', slot: ['a1', 2_000] } },
      { acquire: 'b1', account: B, expect: { result: 'granted', delay: [0, 0] } },
      { acquire: 'b2', account: B, expect: { result: 'paced', slot: ['b1', 1_000] } },
      { acquire: 'a4', account: A, expect: { result: 'paced', slot: ['a1', 3_000] } },
    ],
  },
  {
    name: 'two BUCs of one account are independent',
    settings: { paces: { ads_insights: every(1_000), ads_management: every(2_000) } },
    steps: [
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { acquire: 'i2', buc: 'ads_insights', expect: { result: 'paced', slot: ['i1', 1_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'granted', delay: [0, 0] } },
      { acquire: 'm2', buc: 'ads_management', expect: { result: 'paced', slot: ['m1', 2_000] } },
      { acquire: 'i3', buc: 'ads_insights', expect: { result: 'paced', slot: ['i1', 2_000] } },
    ],
  },
  {
    name: 'the account-wide pace couples the BUCs of one account (ad-account score limit)',
    settings: { accountPace: every(1_000) },
    steps: [
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'paced', slot: ['i1', 1_000] } },
      { acquire: 'b1', account: B, buc: 'ads_management', expect: { result: 'granted' } },
    ],
  },
  {
    name: 'cost books several slots',
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      { acquire: 'j1', cost: 3, expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 3_000] } },
    ],
  },
  {
    name: 'a throttle blocks the (account, BUC) until the regain time; slots queue up after it',
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      {
        usage: { adAccountId: A, buc: 'ads_insights', throttled: true, blockForMs: 60_000 },
        blockedMs: [50_000, 60_000],
      },
      { acquire: 'j1', expect: { result: 'blocked', delay: [50_000, 60_000] } },
      { acquire: 'j2', expect: { result: 'blocked', slot: ['j1', 1_000] } },
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
    settings: { paces: { ads_insights: every(1_000) } },
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
    name: 'usage slows an account down: x2 above 90 %, x4 above 97 %, back to normal below',
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      { usage: { adAccountId: A, buc: 'ads_insights', utilizationPct: 92 }, factor: 2 },
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 2_000] } },
      { usage: { adAccountId: A, buc: 'ads_insights', utilizationPct: 98 }, factor: 4 },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 4_000] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 8_000] } },
      { usage: { adAccountId: A, buc: 'ads_insights', utilizationPct: 50 }, factor: 1 },
      { acquire: 'j5', expect: { result: 'paced', slot: ['j1', 12_000] } },
      { acquire: 'j6', expect: { result: 'paced', slot: ['j1', 13_000] } },
      { acquire: 'b1', account: B, expect: { result: 'granted' } },
    ],
  },
  {
    name: 'account-level usage (X-Ad-Account-Usage) slows every BUC of the account',
    settings: { paces: { ads_insights: every(1_000), ads_management: every(1_000) } },
    steps: [
      { usage: { adAccountId: A, utilizationPct: 98 }, factor: 4 },
      { acquire: 'i1', buc: 'ads_insights', expect: { result: 'granted' } },
      { acquire: 'i2', buc: 'ads_insights', expect: { result: 'paced', slot: ['i1', 4_000] } },
      { acquire: 'm1', buc: 'ads_management', expect: { result: 'granted' } },
      { acquire: 'm2', buc: 'ads_management', expect: { result: 'paced', slot: ['m1', 4_000] } },
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
    settings: { paces: { ads_insights: every(1_000) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_000] } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_000] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 2_000] } },
      { waitForSlot: 'j2' },
      { acquire: 'j2', expect: { result: 'granted', slot: ['j1', 1_000] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 3_000] } },
    ],
  },
  {
    name: 'a job back more than one interval after its slot books again instead of bunching calls',
    settings: { paces: { ads_insights: every(200) } },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 200] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 400] } },
      { acquire: 'j4', expect: { result: 'paced', slot: ['j1', 600] } },
      { acquire: 'j5', expect: { result: 'paced', slot: ['j1', 800] } },
      { acquire: 'j6', expect: { result: 'paced', slot: ['j1', 1_000] } },
      { sleep: 650 },
      // j2's slot (+200) is more than one interval past: it goes behind j6, not between j4 and j5.
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_200] } },
    ],
  },
  {
    name: 'a job that meets a full account keeps its slot and does not pay for pacing twice',
    settings: { paces: { ads_insights: every(1_000) }, maxConcurrentPerAccount: 1 },
    steps: [
      { acquire: 'j1', expect: { result: 'granted' } },
      { acquire: 'j2', expect: { result: 'paced', slot: ['j1', 1_000] } },
      { waitForSlot: 'j2' },
      { acquire: 'j2', expect: { result: 'concurrency', slot: ['j1', 1_000] } },
      { release: 'j1' },
      { acquire: 'j2', expect: { result: 'granted', slot: ['j1', 1_000] } },
      { acquire: 'j3', expect: { result: 'paced', slot: ['j1', 2_000] } },
    ],
  },
];

describe('limiter (real Redis)', () => {
  it.each(cases)('$name', async ({ settings, steps }) => {
    const { limiter, keyPrefix } = newLimiter(settings);
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
          cost: step.cost,
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
  });
});

describe('limiter state for operators', () => {
  it('lists blocked accounts soonest-ending first, bounded, with the app-wide block', async () => {
    const { limiter } = newLimiter({});
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: 'act_1',
      buc: 'ads_insights',
      blockForMs: 30_000,
    });
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: '2',
      buc: 'ads_management',
      blockForMs: 10_000,
    });
    await limiter.recordUsage({ scope: 'account', adAccountId: '3', throttled: true, blockForMs: 20_000 });
    await limiter.recordUsage({ scope: 'account', adAccountId: '4', buc: 'ads_insights', blockForMs: 1 });
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: '5',
      buc: 'ads_insights',
      utilizationPct: 99,
    });
    await sleep(20);

    const all = await limiter.listThrottledAccounts();
    expect(all.total).toBe(3);
    expect(all.accounts.map((a) => `${a.adAccountId}|${a.buc}`)).toEqual([
      '2|ads_management',
      '3|*',
      '1|ads_insights',
    ]);
    expect(all.accounts[0]!.remainingMs).toBeLessThanOrEqual(10_000);
    expect(all.app).toBeNull();

    const first = await limiter.listThrottledAccounts({ limit: 1 });
    expect(first.total).toBe(3);
    expect(first.accounts).toHaveLength(1);

    await limiter.recordUsage({ scope: 'app', throttled: true, reason: 'meta 4/1504022' });
    const withApp = await limiter.listThrottledAccounts();
    expect(withApp.app).toMatchObject({ reason: 'meta 4/1504022' });
    expect(withApp.app!.remainingMs).toBeGreaterThan(30_000);
    expect(withApp.app!.remainingMs).toBeLessThanOrEqual(60_000);
    expect(await limiter.getAppBlock()).toMatchObject({ reason: 'meta 4/1504022' });

    await limiter.clearAppBlock();
    await limiter.clearAccountBlocks('act_2');
    const after = await limiter.listThrottledAccounts();
    expect(after.app).toBeNull();
    expect(after.accounts.map((a) => a.adAccountId)).toEqual(['3', '1']);
    expect((await limiter.acquire({ adAccountId: '2', buc: 'ads_management', jobId: 'x' })).ok).toBe(true);
  });

  it('shows one account: utilisation, slowdown, block and leases', async () => {
    const { limiter } = newLimiter({ maxConcurrentPerAccount: 3 });
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: A,
      buc: 'ads_insights',
      utilizationPct: 98,
      throttled: true,
      blockForMs: 5_000,
      reason: 'meta 80000/2446079',
    });
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: A,
      buc: 'ads_management',
      utilizationPct: 10,
    });
    await limiter.acquire({ adAccountId: A, buc: 'ads_management', jobId: 'j1' });
    const state = await limiter.getAccountState(A);
    expect(state.adAccountId).toBe('100');
    expect(state.activeLeases).toBe(1);
    expect(state.bucs.ads_insights).toMatchObject({
      utilizationPct: 98,
      factor: 4,
      blockReason: 'meta 80000/2446079',
    });
    expect(state.bucs.ads_insights!.blockedUntil).toBeGreaterThan(Date.now() - 60_000);
    expect(state.bucs.ads_management).toMatchObject({ utilizationPct: 10, factor: 1 });
    expect(state.bucs.ads_management!.blockedUntil).toBeUndefined();
  });

  it('reserve() books extra calls inside a job without a lease', async () => {
    const { limiter } = newLimiter({ paces: { ads_insights: every(1_000) }, maxConcurrentPerAccount: 1 });
    const grant = await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' });
    expect(grant.ok).toBe(true);
    const next = await limiter.reserve({ adAccountId: A, buc: 'ads_insights' });
    expect(next.reason).toBe('paced');
    expect(next.slotAt).toBe((grant as Grant).slotAt + 1_000);
    const other = await limiter.reserve({ adAccountId: B, buc: 'ads_insights' });
    expect(other).toMatchObject({ reason: 'now', delayMs: 0 });
  });

  it('extend() keeps a lease; a reclaimed lease reports lease_lost', async () => {
    const { limiter, keyPrefix } = newLimiter({ maxConcurrentPerAccount: 1 });
    const grant = (await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' })) as Grant;
    await grant.extend(60_000);
    await redis.zadd(accountKeys(keyPrefix, '100').leases, 'XX', 1, 'j1');
    await expect(grant.extend()).rejects.toSatisfy(
      (error) => isLimiterError(error) && error.code === 'lease_lost',
    );
    await grant.release();
    await grant.release();
  });
});

describe('limiter input checks', () => {
  it.each([
    [
      'an ad account id with a brace',
      { adAccountId: 'act_{1}', buc: 'ads_insights', jobId: 'j' },
      /ad account id/,
    ],
    ['an empty ad account id', { adAccountId: '  ', buc: 'ads_insights', jobId: 'j' }, /ad account id/],
    ['an unknown BUC shape', { adAccountId: '1', buc: 'Ads Insights', jobId: 'j' }, /business use case/],
    ["the whole-account BUC '*'", { adAccountId: '1', buc: '*', jobId: 'j' }, /business use case/],
    ['an empty job id', { adAccountId: '1', buc: 'ads_insights', jobId: '' }, /job id/],
    ['a zero cost', { adAccountId: '1', buc: 'ads_insights', jobId: 'j', cost: 0 }, /cost/],
  ])('acquire rejects %s', async (_label, request, message) => {
    const { limiter } = newLimiter({});
    await expect(limiter.acquire(request)).rejects.toThrow(message);
  });

  it('recordUsage rejects an account report without an account and a negative utilisation', async () => {
    const { limiter } = newLimiter({});
    await expect(limiter.recordUsage({ scope: 'account', buc: 'ads_insights' })).rejects.toThrow(
      /adAccountId/,
    );
    await expect(
      limiter.recordUsage({ scope: 'account', adAccountId: '1', utilizationPct: -5 }),
    ).rejects.toThrow(/utilizationPct/);
  });

  it('settings are validated with the field named', () => {
    expect(() => resolveLimiterSettings({ safetyFactor: 0 })).toThrow(/safetyFactor/);
    expect(() => resolveLimiterSettings({ keyPrefix: '{meta}:limiter' })).toThrow(/keyPrefix/);
    expect(() => resolveLimiterSettings({ paces: { ads_insights: { callsPerHour: -1 } } })).toThrow(/paces/);
  });

  it('a script given a bad argument answers INVALID_ARGUMENT, raised as a LimiterError', async () => {
    const base = randomPrefix();
    bases.push(base);
    const keys = accountKeys(`${base}:limiter`, '1');
    const reply = await runScript(
      redis,
      'acquire',
      [keys.state, keys.gcra, keys.resv, keys.leases],
      ['ads_insights', 'j1', -1, 0, 0, 0, 1, 0, 1000, 1000, 1000, 25],
    );
    expect(reply).toEqual([-1, 3, 0, 0]);
    const { checkReply } = await import('../lua/codes.ts');
    expect(() => checkReply('acquire', reply)).toThrow(/ARGV\[3\]/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
