/**
 * The limiter's Lua scripts on a real Redis, one random key prefix per case. The behaviour table lives in
 * `test-support/limiter-cases.ts` (the cluster suite runs it too). Slots are compared with each other
 * (exact, Redis time); delays are checked against upper bounds (a delay only shrinks as time passes) and
 * generous lower bounds, so nothing depends on how fast this machine is.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLimiterError } from '../errors/limiter-error.ts';
import { runScript } from '../lua/loader.ts';
import {
  A,
  B,
  LIMITER_CASES,
  newLimiter as newSharedLimiter,
  quota,
  runLimiterCase,
  type Settings,
} from '../test-support/limiter-cases.ts';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';
import { accountKeys } from './keys.ts';
import type { Grant, Limiter, UsageOutcome } from './limiter.ts';
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

describe('limiter (real Redis)', () => {
  it.each(LIMITER_CASES)('$name', (limiterCase) => runLimiterCase(redis, bases, limiterCase));
});

/** A limiter on a fresh key base with the table's defaults and `settings`. */
function newLimiter(settings: Settings): { limiter: Limiter; keyPrefix: string } {
  return newSharedLimiter(redis, bases, settings);
}

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
    await limiter.recordUsage({ scope: 'account', adAccountId: A, utilizationPct: 99 });
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
    // A BUC's own utilisation teaches its quota; only the account-wide usage ('*') slows the account down.
    expect(state.bucs.ads_insights).toMatchObject({
      utilizationPct: 98,
      factor: 1,
      blockReason: 'meta 80000/2446079',
    });
    expect(state.bucs['*']).toMatchObject({ utilizationPct: 99, factor: 4 });
    expect(state.bucs.ads_insights!.blockedUntil).toBeGreaterThan(Date.now() - 60_000);
    expect(state.bucs.ads_management).toMatchObject({ utilizationPct: 10, factor: 1 });
    expect(state.bucs.ads_management!.blockedUntil).toBeUndefined();
  });

  it("book() books a job's next calls without a lease; a future slot is kept as its reservation", async () => {
    const { limiter } = newLimiter({ paces: { ads_insights: quota(2) }, maxConcurrentPerAccount: 1 });
    const grant = (await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' })) as Grant;
    expect(grant.ok).toBe(true);
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: A,
      buc: 'ads_insights',
      member: grant.member,
      slotAt: grant.slotAt,
    });
    const second = await limiter.book({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' });
    expect(second).toMatchObject({ reason: 'now', delayMs: 0 });
    expect(second.member).not.toBe('');
    const third = await limiter.book({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' });
    expect(third.reason).toBe('paced');
    expect(third.slotAt).toBe(grant.slotAt + 1_000);
    expect(third.member).toBe('');
    // Asking again finds the reservation: the same slot, nothing booked twice.
    const again = await limiter.book({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' });
    expect(again.slotAt).toBe(third.slotAt);
    const other = await limiter.book({ adAccountId: B, buc: 'ads_insights' });
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

describe('the app-wide budget (one token, one app, every account)', () => {
  it('learns the app budget from app usage and paces every account together before Meta throttles the app', async () => {
    const { limiter } = newLimiter({ windowMs: 60_000, windowMarginMs: 0 });
    // Nothing learned yet: calls are only counted.
    for (let call = 1; call <= 4; call++) {
      const admitted = await limiter.admitApp();
      expect(admitted).toMatchObject({ ok: true, capacity: 0, calls: call });
    }
    // Meta answers these 4 calls (over several accounts): 10 % of the app's budget each, 10 calls per window.
    let outcome = await limiter.recordUsage({ scope: 'app', utilizationPct: 10 });
    for (const pct of [20, 30, 40])
      outcome = await limiter.recordUsage({ scope: 'app', utilizationPct: pct });
    expect(outcome.quota?.lo).toBeLessThanOrEqual(10);
    expect(outcome.quota?.hi).toBeGreaterThanOrEqual(10);
    const admitted: boolean[] = [];
    for (let call = 0; call < 8; call++) admitted.push((await limiter.admitApp()).ok);
    // 6 more fit (10 in all, share 1); the rest wait for the window, whatever account asks.
    expect(admitted).toEqual([true, true, true, true, true, true, false, false]);
    const paced = await limiter.admitApp();
    expect(paced).toMatchObject({ ok: false, reason: 'app_paced' });
    if (!paced.ok) {
      expect(paced.delayMs).toBeGreaterThan(50_000);
      expect(paced.delayMs).toBeLessThanOrEqual(62_000);
    }
    const state = await limiter.getAppState();
    expect(state).toMatchObject({ utilizationPct: 40 });
    expect(state.quota?.estimate).toBe(10);
  });

  it('an app usage of 100 % blocks every account until the counted calls leave the window', async () => {
    const { limiter } = newLimiter({
      windowMs: 60_000,
      windowMarginMs: 0,
      paces: { ads_insights: quota(10) },
    });
    await limiter.admitApp();
    const outcome = await limiter.recordUsage({ scope: 'app', utilizationPct: 100 });
    expect(outcome.blockedForMs).toBeGreaterThan(50_000);
    expect(outcome.blockedForMs).toBeLessThanOrEqual(62_000);
    expect(await limiter.admitApp()).toMatchObject({ ok: false, reason: 'app_blocked' });
    expect(await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' })).toMatchObject({
      ok: false,
      reason: 'app_blocked',
    });
    // A caller that admits each call through admitApp (refused above) lets the slot skip the app's block.
    expect(
      await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1', skipAppBlock: true }),
    ).toMatchObject({ ok: true });
  });

  it('an app throttle with Meta’s time blocks the app for that time', async () => {
    const { limiter } = newLimiter({});
    const outcome = await limiter.recordUsage({
      scope: 'app',
      throttled: true,
      blockForMs: 90_000,
      reason: 'meta 4',
    });
    expect(outcome.blockedForMs).toBeGreaterThan(80_000);
    expect(await limiter.getAppBlock()).toMatchObject({ reason: 'meta 4' });
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
      [keys.state, keys.gcra, keys.resv, keys.leases, keys.log('ads_insights')],
      ['ads_insights', 'j1', -1, 1000, 0, 1, 0, 0, 1000, 25, 1000, 100, 0, 1000, 1000],
    );
    expect(reply).toEqual([-1, 3, 0, 0, '', 0]);
    const { checkReply } = await import('../lua/codes.ts');
    expect(() => checkReply('acquire', reply)).toThrow(/ARGV\[3\]/);
  });
});

describe("one Meta answer's reports in one call (recordUsages)", () => {
  /**
   * A client of its own that counts the scripts sent (EVALSHA, or EVAL the first time on a connection). Await
   * `ready` first: a command sent before the connection is up goes through `sendCommand` twice.
   */
  function countingRedis() {
    const client = testRedis();
    let scripts = 0;
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      if (command.name === 'evalsha' || command.name === 'eval') scripts++;
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    return { client, scripts: () => scripts, ready: client.ping() };
  }
  /** What the outcomes say, without the clock-dependent end of a block. */
  const shape = (outcomes: readonly UsageOutcome[]) =>
    outcomes.map(({ blockedUntil, blockedForMs, ...rest }) => ({
      ...rest,
      blocked: blockedUntil !== null,
      blockedAbout: Math.round(blockedForMs / 1000),
    }));
  const settings: Settings = { paces: { ads_insights: quota(10) } };

  it("sends an account's BUC and '*' reports as one script and ends as the same reports sent one by one", async () => {
    const counting = countingRedis();
    try {
      const together = newSharedLimiter(counting.client, bases, settings).limiter;
      const apart = newLimiter(settings).limiter;
      const reportsFor = async (limiter: Limiter) => {
        const grant = await limiter.acquire({ adAccountId: A, buc: 'ads_insights', jobId: 'j1' });
        if (!grant.ok) throw new Error('no slot');
        return [
          {
            scope: 'account' as const,
            adAccountId: A,
            buc: 'ads_insights',
            utilizationPct: 40,
            member: grant.member,
            slotAt: grant.slotAt,
          },
          { scope: 'account' as const, adAccountId: A, buc: '*', utilizationPct: 96 },
          {
            scope: 'account' as const,
            adAccountId: A,
            buc: 'ads_management',
            throttled: true,
            blockForMs: 60_000,
            reason: 'meta 80004/2446079',
          },
        ];
      };
      await counting.ready;
      const togetherReports = await reportsFor(together);
      const before = counting.scripts();
      const joint = await together.recordUsages(togetherReports);
      expect(counting.scripts() - before).toBe(1);

      const apartReports = await reportsFor(apart);
      const single: UsageOutcome[] = [];
      for (const report of apartReports) single.push(await apart.recordUsage(report));

      expect(shape(joint)).toEqual(shape(single));
      expect(joint.map((outcome) => outcome.buc)).toEqual(['ads_insights', '*', 'ads_management']);
      expect(joint[1]).toMatchObject({ factor: 2 });
      expect(joint[2]!.blockedForMs).toBeGreaterThan(50_000);
      const state = (limiter: Limiter) =>
        limiter
          .getAccountState(A)
          .then(({ bucs }) =>
            Object.fromEntries(
              Object.entries(bucs).map(([buc, { utilizationPct, factor, blockReason, quota }]) => [
                buc,
                { utilizationPct, factor, blockReason, quota: quota && { lo: quota.lo, hi: quota.hi } },
              ]),
            ),
          );
      expect(await state(together)).toEqual(await state(apart));
      // The operators' index has the throttled BUC, as for a report sent alone.
      const listed = await together.listThrottledAccounts();
      expect(listed.accounts.map((entry) => `${entry.adAccountId}|${entry.buc}`)).toEqual([
        `${A.replace('act_', '')}|ads_management`,
      ]);
    } finally {
      await counting.client.quit();
    }
  });

  it('answers in the order of the reports across accounts and the app: one script per account, one for the app', async () => {
    const counting = countingRedis();
    try {
      const { limiter } = newSharedLimiter(counting.client, bases, settings);
      await counting.ready;
      const before = counting.scripts();
      const outcomes = await limiter.recordUsages([
        { scope: 'account', adAccountId: A, buc: '*', utilizationPct: 96 },
        { scope: 'app', utilizationPct: 10 },
        { scope: 'account', adAccountId: B, buc: '*', utilizationPct: 10 },
        { scope: 'account', adAccountId: A, buc: 'ads_insights', throttled: true, blockForMs: 30_000 },
      ]);
      expect(counting.scripts() - before).toBe(3);
      expect(outcomes.map(({ scope, adAccountId, buc }) => [scope, adAccountId, buc])).toEqual([
        ['account', A.replace('act_', ''), '*'],
        ['app', undefined, undefined],
        ['account', B.replace('act_', ''), '*'],
        ['account', A.replace('act_', ''), 'ads_insights'],
      ]);
      expect(outcomes[0]).toMatchObject({ factor: 2 });
      expect(outcomes[2]).toMatchObject({ factor: 1 });
      expect(outcomes[3]!.blockedForMs).toBeGreaterThan(20_000);
      expect(await limiter.recordUsages([])).toEqual([]);
    } finally {
      await counting.client.quit();
    }
  });

  it('records none of the reports when one of them is invalid, and names the problem', async () => {
    const { limiter } = newLimiter(settings);
    await expect(
      limiter.recordUsages([
        { scope: 'account', adAccountId: A, buc: '*', utilizationPct: 96, blockForMs: 60_000 },
        { scope: 'app', throttled: true, blockForMs: 60_000 },
        { scope: 'account', adAccountId: B, utilizationPct: -5 },
      ]),
    ).rejects.toThrow(/utilizationPct/);
    await expect(limiter.recordUsages([{ scope: 'account', buc: '*' }])).rejects.toThrow(/adAccountId/);
    expect((await limiter.getAccountState(A)).bucs).toEqual({});
    expect(await limiter.getAppBlock()).toBeNull();
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
