import { randomUUID } from 'node:crypto';
import { startRedis } from '@meta-engine/local-stack';
import { buildClientJob, createWorkerConnection } from '@meta-engine/queue';
import { QueueEvents } from 'bullmq';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFanoutWorker } from '../fanout/fanout-jobs.ts';
import type { Runtime } from '../runtime.ts';
import { adminAppFor } from '../service.ts';
import { ADMIN, startTestStack, TEST_TOKEN, type TestStack } from '../test-support/stack.ts';
import { createAdminApp } from './app.ts';

let t: TestStack;
let runtime: Runtime;
let app: Hono;
let clients: string[];

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = { authorization: basic(ADMIN.user, ADMIN.password) };

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
  });
}

beforeAll(async () => {
  t = await startTestStack();
  clients = t.seedClients(3, { prefix: 'Http' });
  runtime = await t.runtime();
  app = adminAppFor(runtime);
});

afterAll(async () => {
  await t?.stop();
});

describe('authentication', () => {
  it.each([
    ['GET', '/admin/queues'],
    ['GET', '/admin/queues/api/queues'],
    ['GET', '/admin/queues/static/css/main.css'],
    ['GET', '/api/runs'],
    ['POST', '/api/runs'],
    ['GET', '/api/runs/run-validate-20260101T000000Z-abcdef'],
    ['POST', '/api/rotation'],
  ])('%s %s without credentials -> 401 with a challenge', async (method, path) => {
    const res = await app.request(path, { method });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses a wrong password and a wrong user', async () => {
    for (const authorization of [
      basic(ADMIN.user, 'wrong-password'),
      basic('someone', ADMIN.password),
      'Bearer x',
    ]) {
      expect((await app.request('/api/runs', { headers: { authorization } })).status).toBe(401);
    }
  });

  it('serves Bull Board with credentials, and redirects the trailing-slash form', async () => {
    const page = await app.request('/admin/queues', { headers: AUTH });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>');
    const slash = await app.request('/admin/queues/', { headers: AUTH });
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/admin/queues');
    const api = await app.request('/admin/queues/api/queues', { headers: AUTH });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual([
      'collect-insights',
      'drift-check',
      'fanout',
      'refresh-cache',
      'summaries',
      'validate',
    ]);
  });

  it('leaves /healthz, /readyz and /metrics open', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
  });

  it('refuses state-changing requests from another origin', async () => {
    const res = await post('/api/runs', JSON.stringify({ task: 'validate', all: true }), {
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(403);
  });
});

describe('POST /api/runs', () => {
  it.each([
    ['{not json', 400, 'request body is not valid JSON'],
    ['', 400, 'request body is empty'],
    ['[]', 400, 'invalid request body'],
    ['{"task":"sync","all":true}', 400, 'task: must be one of validate, refresh-cache, collect-insights'],
    ['{"task":"validate"}', 400, 'say which clients: all, or at least one client id'],
    [
      '{"task":"validate","all":true,"clientIds":["a"]}',
      400,
      'choose either all clients or a list of client ids',
    ],
    ['{"task":"validate","all":true,"priority":1}', 400, 'unexpected field(s): priority'],
    ['{"task":"validate","all":"yes"}', 400, 'all: expected a boolean, got a string'],
    // Issue 12.7: what is wrong, not "is required".
    ['[1,2,3]', 400, 'expected a JSON object, got an array'],
    ['{"task":"validate","clientIds":"abc"}', 400, 'clientIds: expected an array, got a string'],
    // Issue 12.6: days Meta cannot have are refused, nothing is enqueued.
    [
      '{"task":"collect-insights","all":true,"since":"1900-01-01","until":"1900-01-31"}',
      422,
      'since 1900-01-01 is before',
    ],
    [
      '{"task":"collect-insights","all":true,"since":"2026-01-01","until":"2999-01-01"}',
      422,
      'until 2999-01-01 is after today',
    ],
    [
      '{"task":"collect-insights","all":true,"since":"2026-02-30","until":"2026-03-01"}',
      400,
      'since: is not a real calendar date',
    ],
    [
      '{"task":"refresh-cache","all":true,"since":"2026-01-01","until":"2026-01-02"}',
      400,
      'since/until apply only to collect-insights',
    ],
    [
      '{"task":"validate","all":true,"kinds":["monthly"]}',
      400,
      'kinds apply only to summaries, not to validate',
    ],
    ['{"task":"summaries","all":true,"kinds":["daily"]}', 400, 'kinds.0: must be one of monthly, weekly'],
  ])('%s -> %i naming the problem', async (body, status, message) => {
    const res = await post('/api/runs', body);
    expect(res.status).toBe(status);
    expect(JSON.stringify(await res.json())).toContain(message.replaceAll('"', '\\"'));
    expect(await runtime.fanoutQueue.count()).toBe(0);
  });

  it('rejects a body that is not JSON by content type', async () => {
    const res = await post('/api/runs', 'task=validate', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('must be JSON');
  });

  it('names unknown client ids (422) and enqueues nothing', async () => {
    const unknown = randomUUID();
    const res = await post(
      '/api/runs',
      JSON.stringify({ task: 'validate', clientIds: [clients[0], unknown] }),
    );
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: `unknown client id: ${unknown}`,
      details: { unknownClientIds: [unknown] },
    });
    expect(await runtime.fanoutQueue.count()).toBe(0);
  });

  it('starts a run (202 with a run id) that a serving producer fans out, with progress counts', async () => {
    const res = await post('/api/runs', JSON.stringify({ task: 'validate', all: true }));
    expect(res.status).toBe(202);
    const { runId, progressUrl } = (await res.json()) as { runId: string; progressUrl: string };
    expect(progressUrl).toBe(`/api/runs/${runId}`);

    const pending = await app.request(progressUrl, { headers: AUTH });
    expect(await pending.json()).toMatchObject({
      runId,
      task: 'validate',
      trigger: 'api',
      status: 'pending',
      total: 0,
    });

    const connection = createWorkerConnection(t.stack.redisUrl);
    const events = new QueueEvents('fanout', {
      connection: { url: t.stack.redisUrl },
      prefix: runtime.config.queuePrefix,
    });
    await events.waitUntilReady();
    const worker = startFanoutWorker(runtime.fanout, {
      connection,
      prefix: runtime.config.queuePrefix,
      concurrency: 1,
    });
    const job = await runtime.fanoutQueue.getJob(`fanout-validate-${runId}`);
    await job!.waitUntilFinished(events, 20_000);
    await worker.close();
    await events.close();
    await connection.quit();

    const done = await app.request(progressUrl, { headers: AUTH });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      runId,
      status: 'enqueued',
      total: 3,
      created: 3,
      pending: 3,
      done: 0,
      failed: 0,
      finished: false,
      counts: { prioritized: 3, completed: 0 },
    });
    const list = (await (await app.request('/api/runs', { headers: AUTH })).json()) as {
      runs: Array<{ runId: string }>;
    };
    expect(list.runs[0]?.runId).toBe(runId);
  });

  it('answers 404 for an unknown run and 400 for something that is not a run id', async () => {
    expect(
      (await app.request('/api/runs/run-validate-20200101T000000Z-000000', { headers: AUTH })).status,
    ).toBe(404);
    expect((await app.request('/api/runs/..%2Fetc', { headers: AUTH })).status).toBe(400);
  });
});

describe('Bull Board shows job data without secrets', () => {
  it('redacts token-like values in job data', async () => {
    const job = buildClientJob('refresh-cache', {
      clientId: clients[1]!,
      adAccountId: '987',
      runId: 'run-x',
    });
    // Data the schemas would never let through, as if written by something else: the board must hide it.
    await runtime.queues['refresh-cache'].add(
      'refresh-cache',
      { ...job.data, accessToken: TEST_TOKEN, note: `token ${TEST_TOKEN}` },
      { jobId: 'leaky-job', priority: 10 },
    );
    const res = await app.request('/admin/queues/api/queues/refresh-cache/leaky-job', { headers: AUTH });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(TEST_TOKEN);
    expect(text).toContain('[redacted]');
    expect(text).toContain(clients[1]!);
  });
});

describe('POST /api/rotation', () => {
  it('rotates: records the fingerprint and re-validates everyone', async () => {
    const res = await app.request('/api/rotation', { method: 'POST', headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'rotated', explicit: true, resumedQueues: [] });
    expect(String(body.fingerprint)).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(body)).not.toContain(TEST_TOKEN);
  });
});

describe('GET /metrics', () => {
  it('exposes queue counts per state, paused queues, schedulers and token state, without secrets', async () => {
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/meta_producer_queue_jobs\{queue="validate",state="prioritized"\} \d+/);
    expect(text).toContain('meta_producer_queue_paused{queue="fanout"} 0');
    expect(text).toMatch(/meta_producer_job_schedulers \d+/);
    expect(text).toContain('meta_producer_token_state{state="unknown"} 1');
    expect(text).toContain('meta_producer_dependency_up{dependency="redis"} 1');
    expect(text).toMatch(/meta_producer_fanout_jobs_total\{task="validate",outcome="created"\} \d+/);
    expect(text).not.toContain(TEST_TOKEN);
    expect(text).not.toContain(clients[0]!);
  });
});

describe('body limits on every route (issue 12.8)', () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  it.each([
    ['/admin/queues/api/queues/validate/add'],
    ['/admin/queues/api/queues/validate/pause'],
    ['/admin/queues/api/redis/stats'],
    ['/api/runs'],
    ['/api/rotation'],
  ])('POST %s with 2 MiB and valid credentials -> 413, with or without Content-Length', async (path) => {
    const sized = await app.request(path, {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', ...AUTH },
    });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toEqual({ error: 'request body is larger than 1 MiB' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++)
          controller.enqueue(new TextEncoder().encode(big.slice(0, 512 * 1024 + 1)));
        controller.close();
      },
    });
    const chunked = await app.request(path, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'content-type': 'application/json', ...AUTH },
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });
});

describe('a dependency that is down answers 503 (issue 12.8)', () => {
  it('POST /api/runs while Redis is down -> 503 naming Redis', async () => {
    const redis = await startRedis({ env: {} });
    const own = await t.runtime(t.config({ REDIS_URL: redis.url }));
    const ownApp = adminAppFor(own);
    const start = () =>
      ownApp.request('/api/runs', {
        method: 'POST',
        body: JSON.stringify({ task: 'validate', all: true }),
        headers: { 'content-type': 'application/json', ...AUTH },
      });
    await redis.stop();
    const res = await start();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(/^Redis is unavailable/);
    await own.close();
  });

  it('POST /api/runs for explicit clients while the database is down -> 503 naming the database', async () => {
    const own = await t.runtime(t.config({ SUPABASE_URL: 'http://127.0.0.1:9' }));
    const res = await adminAppFor(own).request('/api/runs', {
      method: 'POST',
      body: JSON.stringify({ task: 'validate', clientIds: [clients[0]] }),
      headers: { 'content-type': 'application/json', ...AUTH },
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^the database is unavailable/);
  });
});

describe('GET /readyz', () => {
  it('fails with 503 naming Redis when Redis is stopped', async () => {
    const redis = await startRedis({ env: {} });
    const own = await t.runtime(t.config({ REDIS_URL: redis.url }));
    const ownApp = adminAppFor(own);
    expect(await (await ownApp.request('/readyz')).json()).toEqual({
      status: 'ready',
      checks: { redis: 'ok', database: 'ok' },
    });
    await redis.stop();
    const res = await ownApp.request('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { failed: string[]; checks: Record<string, string> };
    expect(body.failed).toEqual(['redis']);
    expect(body.checks.redis).toMatch(/^failed: /);
    expect(body.checks.database).toBe('ok');
    expect((await ownApp.request('/healthz')).status).toBe(200);
    await own.close();
  });

  it('fails with 503 naming the database when it does not answer', async () => {
    const own = await t.runtime(t.config({ SUPABASE_URL: 'http://127.0.0.1:9' }));
    const res = await adminAppFor(own).request('/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { failed: string[] }).failed).toEqual(['database']);
  });
});

describe('error handler', () => {
  it('answers 500 without internals for an unexpected error', async () => {
    const broken = createAdminApp({
      credentials: { user: 'u', password: 'password1' },
      queues: [],
      bullBoardReadOnly: true,
      secrets: [],
      runs: {
        start: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
        },
        progress: async () => null,
        recent: async () => [],
      },
      rotation: { rotate: async () => ({ status: 'unchanged', fingerprint: 'f' }) },
      readiness: { redis: async () => {}, database: async () => {} },
      metrics: { contentType: 'text/plain', render: async () => '' },
    });
    const res = await broken.request('/api/runs', {
      method: 'POST',
      body: JSON.stringify({ task: 'validate', all: true }),
      headers: { 'content-type': 'application/json', authorization: basic('u', 'password1') },
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, string>;
    expect(body.error).toBe('internal error');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect((await broken.request('/nowhere')).status).toBe(404);
  });
});
