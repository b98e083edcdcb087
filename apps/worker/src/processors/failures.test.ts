import {
  ClientSupersededError,
  DbError,
  type GuardedWrites,
  InvalidRowError,
  isClientSupersededError,
  type WriteGuard,
} from '@meta-engine/db';
import { MetaApiError, type MetaErrorCategory, MetaNetworkError } from '@meta-engine/meta-client';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { CallWaitError } from '../call-booking.ts';
import { createWorkerMetrics } from '../runtime/metrics.ts';
import { DEFAULT_WORKER_SETTINGS, type JobRun, type ProcessorContext } from './context.ts';
import { describeFailure, handleJobFailure, isFinalAttempt, summarizeFailure } from './failures.ts';
import { isParkedError, nextParking } from './park.ts';

const TOKEN = 'EAAsecret-token-value-123';

function metaError(category: MetaErrorCategory, code: number, subcode?: number, retryAfterMs?: number) {
  return new MetaApiError({
    category,
    status: 400,
    code,
    ...(subcode === undefined ? {} : { subcode }),
    metaMessage: `message mentioning ${TOKEN}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A fake context: the repository and Redis record what they were asked; the job records its parks. */
function setup(options: { attemptsMade?: number; attempts?: number; supersededAs?: string } = {}) {
  const repo = {
    /** What the guarded writes recorded as failures, in the shape of the sync state's input. */
    recordSyncFailure: vi.fn(async (_input: unknown) => {}),
    guardedWrite: vi.fn(async (guard: WriteGuard, writes: GuardedWrites) => {
      if (options.supersededAs !== undefined) {
        throw new ClientSupersededError({
          ...guard,
          currentAdAccountId: options.supersededAs,
          reason: 'account_changed',
        });
      }
      if (writes.syncFailure) {
        await repo.recordSyncFailure({
          clientId: guard.clientId,
          task: guard.task,
          error: writes.syncFailure,
          runId: guard.runId,
        });
      }
      return { campaignInsights: 0, dailyKpi: 0, requests: 1 };
    }),
    saveTokenState: vi.fn(async () => {}),
  };
  const pauseHash: Record<string, string> = {};
  const redis = {
    multi() {
      const chain = {
        hsetnx(_key: string, field: string, value: string) {
          pauseHash[field] ??= value;
          return chain;
        },
        exec: async () => [],
      };
      return chain;
    },
    hset: async (_key: string, field: string, value: string) => {
      pauseHash[field] = value;
      return 1;
    },
    hgetall: async () => ({ ...pauseHash }),
  };
  const paused: string[] = [];
  const queue = (name: string) => ({
    name,
    isPaused: async () => paused.includes(name),
    pause: async () => {
      paused.push(name);
    },
  });
  const ctx = {
    repo,
    redis,
    controlKeyPrefix: 'test:control',
    queues: () => [queue('validate'), queue('refresh-cache'), queue('collect-insights')],
    metrics: createWorkerMetrics({ defaultMetrics: false }),
    settings: { ...DEFAULT_WORKER_SETTINGS, metaTimeScale: 1 },
    secrets: [TOKEN],
    tokenFingerprint: 'f'.repeat(64),
    now: () => new Date(),
  } as unknown as ProcessorContext;
  const moveToDelayed = vi.fn(async (_at: number, _token?: string) => {});
  const job = {
    id: 'job-1',
    attemptsMade: options.attemptsMade ?? 0,
    opts: { attempts: options.attempts ?? 5 },
    data: { clientId: '00000000-0000-4000-8000-000000000001', adAccountId: '123', runId: 'r1' } as Record<
      string,
      unknown
    >,
    moveToDelayed,
    updateData: vi.fn(async (data: Record<string, unknown>) => {
      job.data = data;
    }),
  };
  const run = {
    job,
    token: 'lock-token',
    task: 'refresh-cache',
    data: { clientId: '00000000-0000-4000-8000-000000000001', adAccountId: '123', runId: 'r1' },
    clientId: '00000000-0000-4000-8000-000000000001',
    adAccountId: '123',
    log: pino({ level: 'silent' }),
  } as unknown as JobRun<unknown>;
  return { ctx, run, repo, moveToDelayed, paused, pauseHash, job };
}

async function outcomeOf(
  error: unknown,
  options?: { attemptsMade?: number; attempts?: number; supersededAs?: string },
) {
  const fake = setup(options);
  const started = Date.now();
  const thrown = await handleJobFailure(fake.ctx, fake.run, error).catch((caught: unknown) => caught);
  const parkedFor = fake.moveToDelayed.mock.calls[0]?.[0] ?? null;
  return { ...fake, thrown, parkedForMs: parkedFor === null ? null : parkedFor - started };
}

describe('handleJobFailure: the action per error category', () => {
  it('a call that must wait beyond the inline bound parks the job until its slot (no attempt used)', async () => {
    const until = Date.now() + 45_000;
    const { thrown, parkedForMs, repo } = await outcomeOf(new CallWaitError('paced', until));
    expect(isParkedError(thrown) && thrown.reason).toBe('paced');
    expect(parkedForMs).toBeGreaterThanOrEqual(44_000);
    expect(repo.recordSyncFailure).not.toHaveBeenCalled();
  });

  it('parking is bounded: parked again and again without a successful call, the job ends with a recorded reason', async () => {
    const fake = setup();
    const max = fake.ctx.settings.maxParksWithoutProgress;
    const throttle = metaError('account_throttle', 80004, 2446079, 60_000);
    for (let park = 1; park <= max; park++) {
      const thrown = await handleJobFailure(fake.ctx, fake.run, throttle).catch((caught: unknown) => caught);
      expect(isParkedError(thrown), `park ${park}`).toBe(true);
    }
    expect(fake.job.data.parking).toMatchObject({ parks: max, reason: 'account_throttle' });
    const last = await handleJobFailure(fake.ctx, fake.run, throttle).catch((caught: unknown) => caught);
    expect(last).toBeInstanceOf(UnrecoverableError);
    expect((last as Error).message).toMatch(
      /^gave_up_waiting: parked 50 times over 0 min without getting further \(last wait: account_throttle\)/,
    );
    expect(fake.repo.recordSyncFailure).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.objectContaining({ category: 'gave_up_waiting' }) }),
    );
  });

  it('a successful call between parks resets the count (the job makes progress across windows)', () => {
    const base = { reason: 'paced' as const, maxParks: 3, maxWaitMs: 1_000 };
    let record = nextParking(undefined, { ...base, now: 0, progressed: false }).record;
    record = nextParking(record, { ...base, now: 10, progressed: false }).record;
    record = nextParking(record, { ...base, now: 20, progressed: false }).record;
    expect(nextParking(record, { ...base, now: 30, progressed: false }).giveUp).toBe(true);
    expect(nextParking(record, { ...base, now: 30, progressed: true })).toEqual({
      record: { since: 30, parks: 1, reason: 'paced' },
      giveUp: false,
    });
    expect(nextParking({ since: 0, parks: 1 }, { ...base, now: 1_001, progressed: false }).giveUp).toBe(true);
  });

  it('account_throttle: parks until Meta says (no attempt used), records nothing', async () => {
    const { thrown, parkedForMs, repo, moveToDelayed } = await outcomeOf(
      metaError('account_throttle', 80004, 2446079, 60_000),
    );
    expect(isParkedError(thrown) && thrown.reason).toBe('account_throttle');
    expect(thrown).toBeInstanceOf(DelayedError);
    expect(parkedForMs).toBeGreaterThanOrEqual(59_000);
    expect(moveToDelayed.mock.calls[0]?.[1]).toBe('lock-token');
    expect(repo.recordSyncFailure).not.toHaveBeenCalled();
  });

  it('app_throttle: parks', async () => {
    const { thrown } = await outcomeOf(metaError('app_throttle', 4, 1504022, 5_000));
    expect(isParkedError(thrown) && thrown.reason).toBe('app_throttle');
  });

  it('transient: records and rethrows the error itself (BullMQ retries with backoff)', async () => {
    const error = metaError('transient', 2, 1504043);
    const { thrown, repo, moveToDelayed } = await outcomeOf(error);
    expect(thrown).toBe(error);
    expect(moveToDelayed).not.toHaveBeenCalled();
    expect(repo.recordSyncFailure).toHaveBeenCalledWith(
      expect.objectContaining({
        task: 'refresh-cache',
        error: expect.objectContaining({ category: 'transient', code: 2 }),
      }),
    );
  });

  it.each([
    ['account_fatal', 100, 33],
    ['request_bug', 100, undefined],
    ['data_too_large', 100, 1487534],
  ] as const)('%s: records and ends the job without retry', async (category, code, subcode) => {
    const { thrown, repo } = await outcomeOf(metaError(category, code, subcode));
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toMatch(new RegExp(`^${category} ${code}`));
    expect(repo.recordSyncFailure).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.objectContaining({ category, code }) }),
    );
  });

  it('policy: records, parks for the policy time', async () => {
    const { thrown, parkedForMs, repo } = await outcomeOf(metaError('policy', 368));
    expect(isParkedError(thrown) && thrown.reason).toBe('policy');
    expect(parkedForMs).toBeGreaterThan(DEFAULT_WORKER_SETTINGS.policyParkMs - 1_000);
    expect(repo.recordSyncFailure).toHaveBeenCalled();
  });

  it('token_fatal: pauses every queue, records the token state, hands the job back (not failed)', async () => {
    const { thrown, paused, pauseHash, repo } = await outcomeOf(metaError('token_fatal', 190, 460));
    expect(isParkedError(thrown) && thrown.reason).toBe('token_fatal');
    expect(paused.sort()).toEqual(['collect-insights', 'refresh-cache', 'validate']);
    expect(pauseHash).toMatchObject({ reason: 'token_fatal', detail: 'meta 190/460' });
    expect(repo.saveTokenState).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'token_fatal', fingerprint: 'f'.repeat(64) }),
    );
  });

  it('token_fatal from a replaced token: hands the job back for the current token, no pause, no token_invalid', async () => {
    const fake = setup();
    const asked: string[] = [];
    const ctx = {
      ...fake.ctx,
      tokenFingerprint: 'a'.repeat(64),
      tokenSuperseded: async (fingerprint: string) => {
        asked.push(fingerprint);
        return true;
      },
    } as ProcessorContext;
    const onTokenFatal = vi.fn(async () => {});
    const thrown = await handleJobFailure(ctx, fake.run, metaError('token_fatal', 190, 460), {
      onTokenFatal,
    }).catch((caught: unknown) => caught);
    expect(isParkedError(thrown) && thrown.reason).toBe('token_rotated');
    expect(asked).toEqual(['a'.repeat(64)]);
    expect(fake.paused).toEqual([]);
    expect(fake.pauseHash).toEqual({});
    expect(fake.repo.saveTokenState).not.toHaveBeenCalled();
    expect(onTokenFatal).not.toHaveBeenCalled();
    expect(fake.moveToDelayed).toHaveBeenCalledTimes(1);
  });

  it('token_fatal from the token still in use pauses as before', async () => {
    const fake = setup();
    const ctx = { ...fake.ctx, tokenSuperseded: async () => false } as ProcessorContext;
    const thrown = await handleJobFailure(ctx, fake.run, metaError('token_fatal', 190, 460)).catch(
      (caught: unknown) => caught,
    );
    expect(isParkedError(thrown) && thrown.reason).toBe('token_fatal');
    expect(fake.paused.sort()).toEqual(['collect-insights', 'refresh-cache', 'validate']);
  });

  it('never stores or throws the token (messages are scrubbed)', async () => {
    const { thrown, repo } = await outcomeOf(metaError('request_bug', 100));
    expect((thrown as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify(repo.recordSyncFailure.mock.calls)).not.toContain(TOKEN);
  });

  it('a client that changed while the job waited: the failure is not recorded, the job ends superseded', async () => {
    for (const error of [
      metaError('transient', 2),
      metaError('request_bug', 100),
      metaError('policy', 368),
    ]) {
      const { thrown, repo, moveToDelayed } = await outcomeOf(error, { supersededAs: 'act_999' });
      expect(isClientSupersededError(thrown)).toBe(true);
      expect(thrown).toMatchObject({
        reason: 'account_changed',
        adAccountId: '123',
        currentAdAccountId: 'act_999',
      });
      expect(repo.recordSyncFailure).not.toHaveBeenCalled();
      expect(moveToDelayed).not.toHaveBeenCalled();
    }
    const superseded = new ClientSupersededError({
      clientId: '00000000-0000-4000-8000-000000000001',
      adAccountId: '123',
      currentAdAccountId: null,
      reason: 'client_gone',
      task: 'refresh-cache',
    });
    expect((await outcomeOf(superseded)).thrown).toBe(superseded);
  });

  it('a database outage hands the job back without using an attempt and records nothing (issue 12.2)', async () => {
    const down = new DbError('Database connection error. Retrying the connection.', {
      table: 'meta_sync_state',
      operation: 'upsert',
      code: 'PGRST000',
      status: 503,
    });
    const fake = setup();
    const confirm = vi.fn(async () => true);
    (fake.ctx as { outage?: unknown }).outage = { confirm };
    const thrown = await handleJobFailure(fake.ctx, fake.run, down).catch((caught: unknown) => caught);
    expect(isParkedError(thrown) && thrown.reason).toBe('database');
    expect(thrown).toBeInstanceOf(DelayedError);
    expect(confirm).toHaveBeenCalledWith(down);
    expect(fake.moveToDelayed).toHaveBeenCalledTimes(1);
    expect(fake.repo.recordSyncFailure).not.toHaveBeenCalled();
    expect(fake.job.data.parking).toBeUndefined(); // an outage does not count towards gave_up_waiting

    // The ping answered: not an outage, the ordinary retry (an attempt) applies.
    const blip = setup();
    (blip.ctx as { outage?: unknown }).outage = { confirm: async () => false };
    expect(await handleJobFailure(blip.ctx, blip.run, down).catch((caught: unknown) => caught)).toBe(down);
    expect(blip.moveToDelayed).not.toHaveBeenCalled();
  });

  it('Redis down: the job is handed back (the hand-back lands when Redis is back), no attempt used', async () => {
    const { thrown, repo } = await outcomeOf(new Error('Connection is closed.'));
    expect(isParkedError(thrown) && thrown.reason).toBe('redis');
    expect(repo.recordSyncFailure).not.toHaveBeenCalled();
  });

  it('bad rows and secret leaks end the job; network failures are retried', async () => {
    const leak = new InvalidRowError(
      'current_month_cache',
      'cache_data',
      '$.client.token looks like a secret',
      {
        secret: true,
      },
    );
    expect((await outcomeOf(leak)).thrown).toBeInstanceOf(UnrecoverableError);
    expect(summarizeFailure(leak, []).category).toBe('secret_leak');
    expect(summarizeFailure(new InvalidRowError('daily_kpi_data', 'date', 'bad'), []).category).toBe(
      'invalid_row',
    );
    expect((await outcomeOf(new InvalidRowError('daily_kpi_data', 'date', 'bad'))).thrown).toBeInstanceOf(
      UnrecoverableError,
    );
    const gone = new DbError('no client', { table: 'clients', operation: 'select', code: 'NOT_FOUND' });
    expect((await outcomeOf(gone)).thrown).toBeInstanceOf(UnrecoverableError);
    const timeout = new DbError('timeout', { table: 'clients', operation: 'select', code: '' });
    expect((await outcomeOf(timeout)).thrown).toBe(timeout);
    const network = new MetaNetworkError({ errorCode: 'ECONNRESET' });
    expect((await outcomeOf(network)).thrown).toBe(network);
  });

  it('passes parks and unrecoverable errors through untouched', async () => {
    const delayed = new DelayedError();
    expect((await outcomeOf(delayed)).thrown).toBe(delayed);
    const unrecoverable = new UnrecoverableError('x');
    expect((await outcomeOf(unrecoverable)).thrown).toBe(unrecoverable);
  });
});

describe('summaries', () => {
  it('summarizeFailure and describeFailure name category and codes', () => {
    const summary = summarizeFailure(metaError('account_fatal', 100, 33), [TOKEN]);
    expect(summary).toMatchObject({ category: 'account_fatal', code: 100, subcode: 33 });
    expect(summary.message).not.toContain(TOKEN);
    expect(describeFailure(summary)).toMatch(/^account_fatal 100\/33: /);
    expect(summarizeFailure(new Error('boom'), []).category).toBe('internal');
  });

  it('isFinalAttempt', () => {
    expect(isFinalAttempt({ attemptsMade: 0, opts: { attempts: 1 } })).toBe(true);
    expect(isFinalAttempt({ attemptsMade: 3, opts: { attempts: 5 } })).toBe(false);
    expect(isFinalAttempt({ attemptsMade: 4, opts: { attempts: 5 } })).toBe(true);
    expect(isFinalAttempt({ attemptsMade: 0, opts: {} })).toBe(true);
  });
});
