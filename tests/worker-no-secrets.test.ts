/**
 * Acceptance (issue 6): after a run that exercises every path (validations with no access and a
 * malformed id, cache refreshes, sync and async collection, injected 500s and broken bodies, a token
 * revoked mid-run and a rotation), the token appears nowhere: not in the logs (captured WITHOUT the
 * logger's scrubbing layer, so the code itself must never log it), not in Redis (job data, return
 * values, failure reasons, limiter and control keys), not in any database row, not in /metrics.
 */
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { controlKeyPrefixFor, resumeAllQueues } from '@meta-engine/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../apps/worker/src/index.ts';
import { startWorkerHarness, type TestApp, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const [ACTIVE, UNASSIGNED, DISABLED] = DEFAULT_ACCOUNT_IDS;

describe('worker: no secrets anywhere', () => {
  let h: WorkerHarness;
  const metricsTexts: string[] = [];

  beforeAll(async () => {
    h = await startWorkerHarness({
      tokenAccounts: [ACTIVE, DISABLED],
      sandbox: {
        startTime: '2026-02-27T23:30:00Z',
        asyncJobs: { notStartedSeconds: 0.1, startedSeconds: 0.1, runningSeconds: 0.2 },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Every value under the harness prefix, whatever the key type, as text. */
  const dumpRedis = async (): Promise<string> => {
    const tag = h.prefix.replace(/[{}]/g, '');
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await h.redis.scan(cursor, 'MATCH', `*${tag}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await h.redis.type(key);
        parts.push(key);
        if (type === 'string') parts.push(String(await h.redis.get(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await h.redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await h.redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await h.redis.smembers(key)));
        else if (type === 'zset')
          parts.push(JSON.stringify(await h.redis.zrange(key, '0', '-1', 'WITHSCORES')));
        else if (type === 'stream') parts.push(JSON.stringify(await h.redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
    return parts.join('\n');
  };

  /** Every row of every table in the public schema, as text. */
  const dumpDatabase = async (): Promise<string> => {
    const tables = await h.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const rows = await h.sql.unsafe<{ row: string }[]>(
        `select t::text as row from public."${table_name}" t`,
      );
      parts.push(table_name, ...rows.map((r) => r.row));
    }
    return parts.join('\n');
  };

  const scrape = async (app: TestApp) => {
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: app.metrics.registry,
      isHealthy: () => true,
    });
    try {
      metricsTexts.push(await (await fetch(`${server.url}/metrics`)).text());
      metricsTexts.push(await (await fetch(`${server.url}/healthz`)).text());
    } finally {
      await server.close();
    }
  };

  it('finds the token in no log line, Redis value, database row or metric', async () => {
    const settings = { asyncThresholdDays: 10, backfillDays: 14, includeAdRelevance: true };
    const first = await h.startApp({ scrubLogs: false, settings });
    const active = await h.seedClient({ name: 'Active', adAccountId: ACTIVE });
    const unassigned = await h.seedClient({ name: 'Unassigned', adAccountId: UNASSIGNED });
    const malformed = await h.seedClient({ name: 'Malformed', adAccountId: 'act_x1' });
    const disabled = await h.seedClient({ name: 'Disabled', adAccountId: DISABLED });

    const validations = await Promise.all(
      [
        [active, ACTIVE],
        [unassigned, UNASSIGNED],
        [malformed, 'act_x1'],
        [disabled, DISABLED],
      ].map(([clientId, adAccountId]) => h.addJob('validate', { clientId, adAccountId, runId: 'leak-1' })),
    );
    await h.waitForJobs(
      'validate',
      validations.map((job) => job.id!),
    );
    const work = [
      await h.addJob('refresh-cache', { clientId: active, adAccountId: ACTIVE, runId: 'leak-1' }),
      await h.addJob('collect-insights', { clientId: active, adAccountId: ACTIVE, runId: 'leak-1' }),
      await h.addJob('collect-insights', {
        clientId: disabled,
        adAccountId: DISABLED,
        since: '2026-02-20',
        until: '2026-02-25',
        runId: 'leak-1',
      }),
    ];
    for (const job of work) {
      await h.waitForJobs(job.queueName as 'refresh-cache' | 'collect-insights', [job.id!], {
        states: ['completed'],
      });
    }

    // Failures: 500s and broken bodies for the account.
    h.sandbox.setFaults({ byAccount: { [ACTIVE]: { serverErrorRate: 0.5, malformedRate: 0.5 } } });
    const failing = await h.addJob(
      'refresh-cache',
      { clientId: active, adAccountId: ACTIVE, runId: 'leak-2' },
      { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    );
    await h.waitForJobs('refresh-cache', [failing.id!]);
    h.sandbox.setFaults({ byAccount: { [ACTIVE]: null } });

    // The token revoked mid-run, then rotated.
    h.sandbox.revokeToken(h.token);
    const afterRevoke = await h.addJob('validate', {
      clientId: active,
      adAccountId: ACTIVE,
      runId: 'leak-3',
    });
    const queues = Object.values(h.queues);
    await waitUntil(async () => (await Promise.all(queues.map((q) => q.isPaused()))).every(Boolean), {
      what: 'the queues to pause',
    });
    await scrape(first);
    await first.close();
    const rotated = h.sandbox.rotateToken({ replaces: h.token });
    const second = await h.startApp({ scrubLogs: false, token: rotated.value, settings });
    await resumeAllQueues(queues, {
      redis: h.redis,
      keyPrefix: controlKeyPrefixFor(h.prefix),
      reason: 'token_fatal',
    });
    await h.waitForJobs('validate', [afterRevoke.id!], { states: ['completed'] });
    await scrape(second);
    await second.close();

    const redisText = await dumpRedis();
    const databaseText = await dumpDatabase();
    const logText = h.logs.join('');
    const metricsText = metricsTexts.join('\n');
    // The dumps are real: they hold the run's ids, failures and metrics.
    expect(redisText).toContain(active);
    expect(redisText).toContain('account_fatal 100/33');
    expect(databaseText).toContain(h.fingerprint());
    expect(databaseText).toContain('current_week_cache');
    expect(logText).toContain('"jobId"');
    expect(logText).toContain('token_fatal');
    expect(metricsText).toContain('meta_worker_meta_calls_total');
    expect(metricsText).toContain('meta_worker_jobs_total');

    for (const secret of [h.token, rotated.value]) {
      expect(logText.includes(secret), 'token in logs').toBe(false);
      expect(redisText.includes(secret), 'token in Redis').toBe(false);
      expect(databaseText.includes(secret), 'token in the database').toBe(false);
      expect(metricsText.includes(secret), 'token in metrics').toBe(false);
    }
    // The no-scrub logger had nothing to hide either.
    expect(logText).not.toContain('[REDACTED]');
  });
});
