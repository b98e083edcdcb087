import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorkerConnection } from '@meta-engine/queue';
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientDirectory, ClientRef } from '../ports.ts';
import type { Runtime } from '../runtime.ts';
import { syncSchedulers } from '../schedules/sync-schedulers.ts';
import { startTestStack, type TestStack } from '../test-support/stack.ts';
import { fanOut } from './fan-out.ts';
import {
  enqueueFanoutJob,
  processFanoutJob,
  startFanoutWorker,
  TICK_JOB,
  tickTemplateData,
} from './fanout-jobs.ts';
import { UnknownClientsError } from './run-request.ts';
import { startRunInline } from './start-run.ts';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  await t?.stop();
});

/** Records the size of every addBulk call on a queue. */
function spyAddBulk(runtime: Runtime, task: 'validate' | 'refresh-cache' | 'collect-insights'): number[] {
  const sizes: number[] = [];
  const queue = runtime.queues[task];
  const original = queue.addBulk.bind(queue);
  queue.addBulk = (jobs) => {
    sizes.push(jobs.length);
    return original(jobs);
  };
  return sizes;
}

describe('scheduler tick fan-out (real Redis and database)', () => {
  it('fans 2,500 clients out into 2,500 jobs, in chunks, and a tick processed twice adds nothing', async () => {
    const ids = t.seedClients(2500);
    const runtime = await t.runtime();
    const sizes = spyAddBulk(runtime, 'validate');
    await syncSchedulers(runtime.fanoutQueue, {
      validate: { pattern: '0 6 * * *', tz: 'Europe/Warsaw' },
      'refresh-cache': null,
      'collect-insights': null,
      summaries: null,
      'drift-check': null,
    });
    // The scheduler's planned tick, processed twice at once (as after a stalled worker) and once more.
    const [tick] = await runtime.fanoutQueue.getDelayed();
    expect(tick?.name).toBe(TICK_JOB);
    const results = await Promise.all([
      processFanoutJob(runtime.fanout, tick!),
      processFanoutJob(runtime.fanout, tick!),
    ]);
    const again = await processFanoutJob(runtime.fanout, tick!);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    expect(again.runId).toBe(results[0]!.runId);
    expect(again.runId).toMatch(/^tick-validate-\d{8}T\d{6}Z$/);

    const counts = await runtime.queues.validate.getJobCounts();
    const jobs = await runtime.queues.validate.getJobs(['prioritized', 'waiting'], 0, -1);
    expect((counts.prioritized ?? 0) + (counts.waiting ?? 0)).toBe(2500);
    expect(new Set(jobs.map((j) => j.data.clientId)).size).toBe(2500);
    expect(new Set(jobs.map((j) => j.data.clientId))).toEqual(new Set(ids));
    expect(jobs.every((j) => !j.id?.includes(':'))).toBe(true);
    expect(jobs.every((j) => j.opts.priority === 10)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);

    const progress = await runtime.runs.progress(again.runId);
    expect(progress).toMatchObject({
      status: 'enqueued',
      total: 2500,
      created: 2500,
      skipped: 0,
      pending: 2500,
    });
    expect(progress?.counts.prioritized).toBe(2500);

    // A later tick while every job is still pending: deduplicated per client, the run follows those jobs.
    const laterTick = new Job(
      runtime.fanoutQueue,
      TICK_JOB,
      tickTemplateData('validate'),
      {},
      `repeat:schedule-validate:${Date.now() + 86_400_000}`,
    );
    const later = await processFanoutJob(runtime.fanout, laterTick);
    expect(later).toMatchObject({ created: 0, skipped: 2500, rejected: 0 });
    expect((await runtime.queues.validate.getJobCounts()).prioritized).toBe(2500);
    expect(await runtime.runs.progress(later.runId)).toMatchObject({
      total: 2500,
      created: 0,
      skipped: 2500,
    });
    t.sql(`delete from public.clients where id in (${ids.map((id) => `'${id}'`).join(',')})`);
  });

  it('enqueues a client whose ad account id is malformed (the worker records why) and leaves out unusable ones', async () => {
    const [good] = t.seedClients(1);
    const malformed = t.sql(
      `insert into public.clients (admin_id, name, email, ad_account_id, api_status) values ('00000000-0000-4000-8000-000000000001', 'Bad', 'bad-${randomUUID()}@example.com', 'not-an-account', 'valid') returning id`,
    );
    const spaced = t.sql(
      `insert into public.clients (admin_id, name, email, ad_account_id, api_status) values ('00000000-0000-4000-8000-000000000001', 'Spaced', 'sp-${randomUUID()}@example.com', 'act 1 2', 'valid') returning id`,
    );
    const runtime = await t.runtime();
    const result = await startRunInline(
      { directory: runtime.directory, pageSize: 1000, fanout: runtime.fanout },
      { task: 'validate', clientIds: [good!, malformed, spaced] },
      'cli',
    );
    expect(result).toMatchObject({ created: 2, rejected: 1 });
    const jobs = await runtime.queues.validate.getJobs(['prioritized'], 0, -1);
    expect(jobs.map((j) => j.data.clientId).sort()).toEqual([good, malformed].sort());
    expect(jobs.map((j) => j.data.adAccountId)).toContain('not-an-account');
    const record = await runtime.runs.get(result.runId);
    expect(record?.rejectedSample[0]).toContain(spaced);
  });

  it('refuses unknown client ids before adding anything', async () => {
    const [known] = t.seedClients(1);
    const runtime = await t.runtime();
    const unknown = randomUUID();
    await expect(
      startRunInline(
        { directory: runtime.directory, pageSize: 1000, fanout: runtime.fanout },
        { task: 'refresh-cache', clientIds: [known!, unknown, 'not-a-uuid'] },
        'cli',
      ),
    ).rejects.toThrow(new UnknownClientsError([unknown, 'not-a-uuid']));
    const counts = await runtime.queues['refresh-cache'].getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('paused clients', () => {
  it('get no job, whether the run covers everyone or names them, and are counted as left out: paused', async () => {
    const [kept, paused, other] = t.seedClients(3, { prefix: 'Pausing' });
    const runtime = await t.runtime();
    t.sql(
      `insert into public.meta_client_controls (client_id, paused, reason) values ('${paused}', true, 'contract ended')`,
    );
    const startDeps = { directory: runtime.directory, pageSize: 1000, fanout: runtime.fanout };
    const everyone = await startRunInline(startDeps, { task: 'refresh-cache' }, 'cli');
    expect(everyone.paused).toBe(1);
    const jobs = await runtime.queues['refresh-cache'].getJobs(['prioritized'], 0, -1);
    const enqueued = new Set(jobs.map((j) => j.data.clientId));
    expect(enqueued.has(paused)).toBe(false);
    expect(enqueued.has(kept) && enqueued.has(other)).toBe(true);
    expect(await runtime.runs.get(everyone.runId)).toMatchObject({
      paused: 1,
      pausedSample: [`${paused}: paused`],
    });

    const named = await startRunInline(startDeps, { task: 'validate', clientIds: [paused!, kept!] }, 'cli');
    expect(named).toMatchObject({ created: 1, paused: 1 });
    const validateJobs = await runtime.queues.validate.getJobs(['prioritized'], 0, -1);
    expect(validateJobs.map((j) => j.data.clientId)).toEqual([kept]);

    // Resumed: the next run gives it a job again.
    t.sql(`update public.meta_client_controls set paused = false where client_id = '${paused}'`);
    const after = await startRunInline(startDeps, { task: 'validate', clientIds: [paused!] }, 'cli');
    expect(after).toMatchObject({ created: 1, paused: 0 });
  });
});

describe('a fan-out that fails midway', () => {
  it('marks the run failed, and its retry completes it without duplicates', async () => {
    const clients: ClientRef[] = Array.from({ length: 1200 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      adAccountId: String(300_000_000 + i),
    }));
    let failSecondPage = true;
    const directory: ClientDirectory = {
      async pageEligibleClients(_task, afterId, limit) {
        const start = afterId === null ? 0 : clients.findIndex((c) => c.id > afterId);
        if (start > 0 && failSecondPage) {
          failSecondPage = false;
          throw new Error('database unreachable');
        }
        const page = start < 0 ? [] : clients.slice(start, start + limit);
        return { clients: page, unusable: [], lastId: page.at(-1)?.id ?? null, rows: page.length };
      },
      async getClientsByIds() {
        return { clients: [], unusable: [], unknownIds: [] };
      },
      async recordLeftOut() {},
      async pausedClientIds() {
        return new Set<string>();
      },
      async ping() {},
    };
    const runtime = await t.runtime();
    const deps = { ...runtime.fanout, directory, pageSize: 500, chunkSize: 300 };
    const run = {
      runId: 'tick-validate-20260101T050000Z',
      task: 'validate' as const,
      trigger: 'schedule' as const,
    };
    await expect(fanOut(deps, run)).rejects.toThrow('database unreachable');
    expect(await runtime.runs.get(run.runId)).toMatchObject({
      status: 'failed',
      error: 'database unreachable',
      created: 300,
    });
    expect(await runtime.runs.progress(run.runId)).toMatchObject({ finished: true, total: 300 });

    expect(await fanOut(deps, run)).toMatchObject({ created: 900, skipped: 0 });
    expect(await runtime.runs.get(run.runId)).toMatchObject({
      status: 'enqueued',
      error: null,
      created: 1200,
    });
    expect(await runtime.queues.validate.getPrioritizedCount()).toBe(1200);
  });
});

describe('fan-out of 10,000 clients', () => {
  it('adds 500 at a time and keeps the event loop free (HTTP keeps answering)', async () => {
    const clients: ClientRef[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: randomUUID(),
      adAccountId: String(200_000_000 + i),
    })).sort((a, b) => (a.id < b.id ? -1 : 1));
    const directory: ClientDirectory = {
      async pageEligibleClients(_task, afterId, limit) {
        const start = afterId === null ? 0 : clients.findIndex((c) => c.id > afterId);
        const page = start < 0 ? [] : clients.slice(start, start + limit);
        return { clients: page, unusable: [], lastId: page.at(-1)?.id ?? null, rows: page.length };
      },
      async getClientsByIds() {
        return { clients: [], unusable: [], unknownIds: [] };
      },
      async recordLeftOut() {},
      async pausedClientIds() {
        return new Set<string>();
      },
      async ping() {},
    };
    const runtime = await t.runtime();
    const sizes = spyAddBulk(runtime, 'refresh-cache');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let answered = 0;
    let done = false;
    const { createAdminApp } = await import('../http/app.ts');
    const app = createAdminApp({
      credentials: { user: 'u', password: 'p' },
      queues: [],
      bullBoardReadOnly: true,
      secrets: [],
      runs: { start: async () => ({ runId: '' }), progress: async () => null, recent: async () => [] },
      rotation: { rotate: async () => ({ status: 'unchanged', fingerprint: '' }) },
      readiness: { redis: async () => {}, database: async () => {} },
      metrics: { contentType: 'text/plain', render: async () => '' },
    });
    const probe = (async () => {
      while (!done) {
        const res = await app.request('/healthz');
        if (res.status === 200) answered += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const started = performance.now();
    const result = await fanOut(
      { ...runtime.fanout, directory },
      {
        runId: 'run-refresh-cache-20260101T000000Z-abcdef',
        task: 'refresh-cache',
        trigger: 'api',
      },
    );
    const elapsed = performance.now() - started;
    done = true;
    await probe;
    delay.disable();
    expect(result.created).toBe(10_000);
    expect(sizes).toHaveLength(20);
    expect(sizes.every((n) => n === 500)).toBe(true);
    expect(answered).toBeGreaterThan(20);
    // Without the yields between chunks the longest stall would be most of the fan-out; allow for GC
    // pauses on a busy machine.
    expect(delay.max / 1e6).toBeLessThan(Math.max(250, elapsed / 4));
  });
});

describe('clients without an ad account (issue 12.5)', () => {
  it('are counted and named as left out in the run and in their sync state, NULL and empty alike', async () => {
    const runtime = await t.runtime();
    const startDeps = { directory: runtime.directory, pageSize: 1000, fanout: runtime.fanout };
    // Clients other tests of this file left behind that no job can be built for.
    const baseline = (await startRunInline(startDeps, { task: 'validate' }, 'cli')).rejected;
    // A live database may have dropped the app's NOT NULL (schema drift): NULL must be handled too.
    t.sql('alter table public.clients alter column ad_account_id drop not null');
    const insert = (name: string, value: string) =>
      t.sql(
        `insert into public.clients (admin_id, name, email, ad_account_id, api_status) values ('00000000-0000-4000-8000-000000000001', '${name}', '${name}-${randomUUID()}@example.com', ${value}, 'valid') returning id`,
      );
    const empty = insert('Google only', "''");
    const spaces = insert('Spaces only', "'   '");
    const missing = insert('No account', 'null');
    const [withAccount] = t.seedClients(1, { prefix: 'Has account' });

    const everyone = await startRunInline(startDeps, { task: 'validate' }, 'cli');
    expect(everyone.rejected).toBe(baseline + 3);
    const record = await runtime.runs.get(everyone.runId);
    expect(record?.rejected).toBe(baseline + 3);
    const sample = record?.rejectedSample.join('\n') ?? '';
    for (const id of [empty, spaces, missing]) expect(sample).toContain(id);
    expect(sample).toContain(`${empty}: no Meta ad account (clients.ad_account_id is empty)`);
    expect(sample).toContain(`${missing}: no Meta ad account (clients.ad_account_id is NULL)`);
    const jobs = await runtime.queues.validate.getJobs(['prioritized'], 0, -1);
    const enqueued = new Set(jobs.map((j) => j.data.clientId));
    expect(enqueued.has(withAccount!)).toBe(true);
    for (const id of [empty, spaces, missing]) expect(enqueued.has(id)).toBe(false);
    const states = t.sql(
      `select client_id || '|' || (last_error->>'category') || '|' || (last_error->>'message') from public.meta_sync_state where task = 'validate' and client_id in ('${empty}', '${spaces}', '${missing}') order by client_id`,
    );
    expect(states.split('\n')).toHaveLength(3);
    for (const line of states.split('\n')) {
      expect(line).toMatch(new RegExp(`\\|rejected\\|left out of run ${everyone.runId}: no Meta ad account`));
    }

    // Named explicitly, they are left out the same way (not "unknown client ids").
    const named = await startRunInline(
      startDeps,
      { task: 'validate', clientIds: [missing, withAccount!] },
      'cli',
    );
    expect(named).toMatchObject({ rejected: 1 });
    expect((await runtime.runs.get(named.runId))?.rejectedSample[0]).toContain(missing);
    t.sql(`delete from public.clients where id in ('${empty}', '${spaces}', '${missing}')`);
    t.sql('alter table public.clients alter column ad_account_id set not null');
  });
});

describe('a fan-out while the database does not answer (issue 12.2)', () => {
  it('is handed back without using an attempt, not failed', async () => {
    const runtime = await t.runtime(t.config({ SUPABASE_URL: 'http://127.0.0.1:9' }));
    await enqueueFanoutJob(runtime.fanoutQueue, { task: 'validate', runId: 'run-db-down', trigger: 'api' });
    const connection = createWorkerConnection(t.stack.redisUrl);
    const worker = startFanoutWorker(runtime.fanout, {
      connection,
      prefix: runtime.config.queuePrefix,
      concurrency: 1,
    });
    try {
      const id = 'fanout-validate-run-db-down';
      const deadline = Date.now() + 20_000;
      let job = await runtime.fanoutQueue.getJob(id);
      while ((job?.attemptsStarted ?? 0) < 1 || (await job?.getState()) !== 'delayed') {
        if (Date.now() > deadline) throw new Error(`fan-out job still ${await job?.getState()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
        job = await runtime.fanoutQueue.getJob(id);
      }
      expect(job!.attemptsMade).toBe(0);
      expect(job!.failedReason).toBeFalsy();
      expect(await runtime.fanoutQueue.getFailedCount()).toBe(0);
    } finally {
      await worker.close();
      await connection.quit();
    }
  });
});
