import { createLimiter, createWorkerConnection, limiterKeyPrefixFor } from '@meta-engine/queue';
import { Job, QueueEvents } from 'bullmq';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as statusCommand from '../commands/status.ts';
import { startFanoutWorker } from '../fanout/fanout-jobs.ts';
import type { Runtime } from '../runtime.ts';
import { adminAppFor } from '../service.ts';
import { ADMIN, startTestStack, type TestStack } from '../test-support/stack.ts';
import { localNow, monthPeriodOf, weekPeriodOf } from './local-time.ts';

let t: TestStack;
let runtime: Runtime;
let app: Hono;
const ids: Record<'healthy' | 'failing' | 'stale' | 'throttled' | 'paused' | 'hostile', string> = {
  healthy: '',
  failing: '',
  stale: '',
  throttled: '',
  paused: '',
  hostile: '',
};
const ZONE = 'Europe/Warsaw';
const HOSTILE_NAME = '<script>alert("x")</script> Hotel';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = { authorization: basic(ADMIN.user, ADMIN.password) };
const SAME_ORIGIN = { origin: 'http://localhost', host: 'localhost' };

function get(path: string) {
  return app.request(`http://localhost${path}`, { headers: AUTH });
}

function post(path: string, body?: string, headers: Record<string, string> = {}) {
  return app.request(`http://localhost${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { body }),
    headers: { ...AUTH, ...SAME_ORIGIN, ...headers },
  });
}

/** Healthy facts for one client: validated 1 h ago, caches written 30 min ago, yesterday collected. */
function seedHealthy(clientId: string, account: string): void {
  const today = localNow(new Date(), ZONE).date;
  t.sql(`
    insert into public.meta_ad_account_validations (client_id, ad_account_id, checked_at, outcome, account_status, timezone_name, run_id)
    values ('${clientId}', '${account}', now() - interval '1 hour', 'active', 1, '${ZONE}', 'run-seed');
    insert into public.meta_sync_state (client_id, task, last_success_at, high_water_date, last_run_id) values
      ('${clientId}', 'validate', now() - interval '1 hour', null, 'run-seed'),
      ('${clientId}', 'refresh-cache', now() - interval '30 minutes', null, 'run-seed'),
      ('${clientId}', 'collect-insights', now() - interval '3 hours', date '${today}' - 1, 'run-seed');
    insert into public.current_month_cache (client_id, period_id, cache_data, last_updated)
      values ('${clientId}', '${monthPeriodOf(today)}', '{}', now() - interval '30 minutes');
    insert into public.current_week_cache (client_id, period_id, cache_data, last_updated)
      values ('${clientId}', '${weekPeriodOf(today)}', '{}', now() - interval '30 minutes');
    insert into public.daily_kpi_data (client_id, date, data_source)
      select '${clientId}', date '${today}' - g, 'meta_api' from generate_series(1, 30) g;`);
}

beforeAll(async () => {
  t = await startTestStack();
  // Ad accounts 5001..5005, one client each.
  t.seedClients(5, { prefix: 'Console', adAccountBase: 5_000 });
  const byAccount = (account: number) =>
    t.sql(`select id from public.clients where ad_account_id = '${account}'`);
  Object.assign(ids, {
    healthy: byAccount(5001),
    failing: byAccount(5002),
    stale: byAccount(5003),
    throttled: byAccount(5004),
    paused: byAccount(5005),
  });
  for (const [n, key] of (['healthy', 'failing', 'stale', 'throttled', 'paused'] as const).entries()) {
    seedHealthy(ids[key], String(5001 + n));
  }
  ids.hostile = t.sql(
    `insert into public.clients (admin_id, name, email, ad_account_id, api_status) values ('00000000-0000-4000-8000-000000000001', '${HOSTILE_NAME}', 'x@example.com', '6001', 'valid') returning id`,
  );
  seedHealthy(ids.hostile, '6001');
  t.sql(`
    insert into public.meta_ad_account_validations (client_id, ad_account_id, checked_at, outcome, error_code, error_message, timezone_name)
      values ('${ids.failing}', '5002', now() - interval '10 minutes', 'no_access', 200, 'Permissions error', '${ZONE}');
    update public.current_month_cache set last_updated = now() - interval '5 hours' where client_id = '${ids.stale}';
    insert into public.meta_client_controls (client_id, paused, reason, changed_by, paused_at)
      values ('${ids.paused}', true, 'contract ended', 'someone', now());`);
  runtime = await t.runtime();
  app = adminAppFor(runtime);
  const limiter = createLimiter({
    redis: runtime.redis,
    keyPrefix: limiterKeyPrefixFor(runtime.config.queuePrefix),
  });
  await limiter.recordUsage({
    scope: 'account',
    adAccountId: 'act_5004',
    buc: 'ads_insights',
    throttled: true,
    blockForMs: 3_600_000,
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('authentication and CSRF', () => {
  const routes = [
    ['GET', '/console'],
    ['GET', `/console/clients/00000000-0000-4000-8000-000000000099`],
    ['POST', `/console/clients/00000000-0000-4000-8000-000000000099/revalidate`],
    ['POST', '/console/app-block/clear'],
    ['GET', '/api/clients'],
    ['GET', `/api/clients/00000000-0000-4000-8000-000000000099`],
    ['POST', `/api/clients/00000000-0000-4000-8000-000000000099/pause`],
    ['POST', '/api/app-block/clear'],
  ] as const;

  it.each(routes)('%s %s answers 401 without credentials and with wrong ones', async (method, path) => {
    for (const headers of [
      {},
      { authorization: basic(ADMIN.user, 'wrong-password') },
      { authorization: basic('x', ADMIN.password) },
    ]) {
      const res = await app.request(path, { method, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="meta-engine admin"');
    }
  });

  it.each([
    `/console/clients/{id}/revalidate`,
    `/console/clients/{id}/pause`,
    '/console/app-block/clear',
    `/api/clients/{id}/resume`,
  ])('refuses a cross-origin POST to %s (403) and changes nothing', async (path) => {
    const target = path.replace('{id}', ids.healthy);
    for (const headers of [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      { origin: 'null' },
    ]) {
      const res = await app.request(`http://localhost${target}`, {
        method: 'POST',
        headers: { ...AUTH, host: 'localhost', ...headers },
      });
      expect(res.status).toBe(403);
    }
    expect(await runtime.fanoutQueue.count()).toBe(0);
    expect(t.sql(`select count(*) from public.meta_client_controls where client_id = '${ids.healthy}'`)).toBe(
      '0',
    );
  });

  it('sends a CSP that forbids scripts, framing and foreign form targets', async () => {
    const res = await get('/console');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(await res.text()).not.toMatch(/<script/i);
  });
});

describe('GET /console (clients table)', () => {
  it('lists every client, flags failing, stale, throttled and paused, and escapes names', async () => {
    const res = await get('/console');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Hotel');
    expect(page).not.toContain(HOSTILE_NAME);
    const rowOf = (id: string) =>
      page.slice(
        page.indexOf(`data-client="${id}"`),
        page.indexOf('</tr>', page.indexOf(`data-client="${id}"`)),
      );
    expect(rowOf(ids.failing)).toContain('class="b failing"');
    expect(rowOf(ids.failing)).toContain('the token cannot reach this ad account');
    expect(rowOf(ids.stale)).toContain('class="b stale"');
    expect(rowOf(ids.throttled)).toContain('class="b throttled"');
    expect(rowOf(ids.throttled)).toContain('ads_insights blocked, lifts <time');
    expect(rowOf(ids.paused)).toContain('class="b paused"');
    expect(rowOf(ids.healthy)).toContain('class="b ok">healthy');
    expect(rowOf(ids.healthy)).toContain(`/admin/queues/queue/validate/validate-${ids.healthy}-run-seed`);
    // Token panel: nothing stored yet in this database.
    expect(page).toContain('id="token"');
  });

  it('filters, searches and sorts with query parameters, and names a bad one (400)', async () => {
    const failing = await (await get('/console?filter=failing')).text();
    expect(failing).toContain(`data-client="${ids.failing}"`);
    expect(failing).not.toContain(`data-client="${ids.healthy}"`);
    const throttled = await (await get('/console?filter=throttled')).text();
    expect(throttled.match(/data-client=/g)).toHaveLength(1);
    const searched = await (await get('/console?q=5003')).text();
    expect(searched.match(/data-client=/g)).toHaveLength(1);
    const byName = await (await get('/console?sort=name&dir=desc')).text();
    const order = [...byName.matchAll(/data-client="([^"]+)"/g)].map((m) => m[1]);
    // "Console 5" ... "Console 1", then "<script>..." (the client names sort case-insensitively).
    expect(order[0]).toBe(ids.paused);
    expect(order.at(-2)).toBe(ids.healthy);
    expect(order.at(-1)).toBe(ids.hostile);
    const bad = await get('/console?filter=broken');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('filter: must be one of');
  });
});

describe('GET /api/clients and /api/clients/:id', () => {
  it('serves the same rows as JSON with counts, objectives and the token panel', async () => {
    const res = await get('/api/clients?sort=name');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      counts: Record<string, number>;
      rows: Array<{
        id: string;
        flags: Record<string, boolean>;
        freshness: { results: Record<string, { state: string }> };
      }>;
      objectives: Record<string, number>;
      total: number;
    };
    expect(body.total).toBe(6);
    expect(body.counts).toMatchObject({ all: 6, failing: 1, stale: 1, throttled: 1, paused: 1, healthy: 2 });
    expect(body.objectives).toEqual(runtime.config.freshness);
    const healthy = body.rows.find((r) => r.id === ids.healthy)!;
    expect(Object.values(healthy.freshness.results).map((r) => r.state)).toEqual([
      'met',
      'met',
      'met',
      'met',
    ]);
    expect(body.rows.find((r) => r.id === ids.stale)!.freshness.results.month_cache!.state).toBe('not_met');
  });

  it('serves one client with its validations, limiter state and jobs; 404 unknown, 400 not an id', async () => {
    const res = await get(`/api/clients/${ids.throttled}`);
    const body = (await res.json()) as {
      client: { id: string; blocks: unknown[] };
      validations: Array<{ outcome: string }>;
      throttle: { bucs: Array<{ buc: string; blockedUntil: string | null }> };
    };
    expect(body.client.id).toBe(ids.throttled);
    expect(body.validations.map((v) => v.outcome)).toEqual(['active']);
    expect(body.throttle.bucs.find((b) => b.buc === 'ads_insights')?.blockedUntil).not.toBeNull();
    expect((await get('/api/clients/00000000-0000-4000-8000-000000000099')).status).toBe(404);
    expect((await get('/api/clients/not-a-client')).status).toBe(400);
  });
});

describe('GET /console/clients/:id', () => {
  it('shows the client, its objectives, tasks, limiter state and validations', async () => {
    const res = await get(`/console/clients/${ids.failing}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('the token cannot reach this ad account');
    for (const section of [
      'id="objectives"',
      'id="tasks"',
      'id="throttle"',
      'id="validations"',
      'id="actions"',
    ])
      expect(page).toContain(section);
    expect(page).toContain('Permissions error');
    expect(page).toContain(`action="/console/clients/${ids.failing}/revalidate"`);
    expect((await get('/console/clients/00000000-0000-4000-8000-000000000099')).status).toBe(404);
    expect((await get('/console/clients/nope')).status).toBe(400);
  });
});

describe('actions', () => {
  it('re-validates one client through the runs API path: 303 to the client page following the run', async () => {
    const res = await post(`/console/clients/${ids.failing}/revalidate`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!, 'http://localhost');
    expect(location.pathname).toBe(`/console/clients/${ids.failing}`);
    expect(location.searchParams.get('notice')).toBe('run-started');
    const runId = location.searchParams.get('run')!;
    expect(await runtime.runs.get(runId)).toMatchObject({
      task: 'validate',
      trigger: 'api',
      all: false,
      requested: 1,
    });
    const fanoutJob = await runtime.fanoutQueue.getJob(`fanout-validate-${runId}`);
    expect(fanoutJob?.data).toMatchObject({ task: 'validate', clientIds: [ids.failing], trigger: 'api' });

    // The page follows the run and reloads itself until it is finished.
    const pending = await (await get(`${location.pathname}${location.search}`)).text();
    expect(pending).toContain('Run started');
    expect(pending).toContain('http-equiv="refresh"');

    // A serving producer fans it out: one validate job for this client, priority of an operator's run.
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
    await fanoutJob!.waitUntilFinished(events, 20_000);
    await worker.close();
    await events.close();
    await connection.quit();
    const job = await Job.fromId(runtime.queues.validate, `validate-${ids.failing}-${runId}`);
    expect(job?.data).toMatchObject({ clientId: ids.failing, adAccountId: '5002' });
    expect(job?.opts.priority).toBe(5);
    const detail = (await (await get(`/api/clients/${ids.failing}`)).json()) as {
      jobs: Array<{ id: string; state: string }>;
    };
    expect(detail.jobs.map((j) => j.id)).toContain(job!.id);
  });

  it.each([
    ['refresh', 'refresh-cache'],
    ['collect', 'collect-insights'],
  ])('%s starts a %s run for that client alone', async (action, task) => {
    const res = await post(`/console/clients/${ids.stale}/${action}`);
    const runId = new URL(res.headers.get('location')!, 'http://localhost').searchParams.get('run')!;
    expect((await runtime.fanoutQueue.getJob(`fanout-${task}-${runId}`))?.data).toMatchObject({
      task,
      clientIds: [ids.stale],
    });
  });

  it("clears this account's blocks with the limiter's operator call", async () => {
    expect((await runtime.throttles.listThrottled(10)).total).toBe(1);
    const res = await post(`/console/clients/${ids.throttled}/clear-blocks`);
    expect(res.headers.get('location')).toBe(`/console/clients/${ids.throttled}?notice=blocks-cleared`);
    expect((await runtime.throttles.listThrottled(10)).total).toBe(0);
    const page = await (await get(res.headers.get('location')!)).text();
    expect(page).toContain('The account&#39;s blocks are lifted');
  });

  it('pauses with a reason from the form (recorded in the database), refuses runs while paused, resumes', async () => {
    const paused = await post(`/console/clients/${ids.healthy}/pause`, 'reason=agency+contract+ended', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(paused.headers.get('location')).toBe(`/console/clients/${ids.healthy}?notice=paused`);
    expect(
      t.sql(
        `select paused || '|' || reason || '|' || changed_by from public.meta_client_controls where client_id = '${ids.healthy}'`,
      ),
    ).toBe(`true|agency contract ended|${ADMIN.user}`);
    const before = await runtime.fanoutQueue.count();
    const refused = await post(`/console/clients/${ids.healthy}/revalidate`);
    expect(refused.headers.get('location')).toBe(`/console/clients/${ids.healthy}?notice=refused-paused`);
    expect(await runtime.fanoutQueue.count()).toBe(before);
    const page = await (await get(`/console/clients/${ids.healthy}`)).text();
    expect(page).toContain('Paused: agency contract ended');
    expect(page).toContain(`action="/console/clients/${ids.healthy}/resume"`);

    const api = await post(`/api/clients/${ids.healthy}/revalidate`);
    expect(api.status).toBe(409);
    expect(await api.json()).toEqual({ error: 'the client is paused: resume it first' });

    const resumed = await post(`/console/clients/${ids.healthy}/resume`);
    expect(resumed.headers.get('location')).toBe(`/console/clients/${ids.healthy}?notice=resumed`);
    expect(t.sql(`select paused from public.meta_client_controls where client_id = '${ids.healthy}'`)).toBe(
      'f',
    );
  });

  it('answers the JSON actions: 202 with the run, pause with a JSON reason, 404 for an unknown action or client', async () => {
    const started = await post(`/api/clients/${ids.stale}/revalidate`);
    expect(started.status).toBe(202);
    const body = (await started.json()) as { runId: string; progressUrl: string; task: string };
    expect(body).toMatchObject({
      status: 'run-started',
      task: 'validate',
      progressUrl: `/api/runs/${body.runId}`,
    });
    const paused = await post(`/api/clients/${ids.stale}/pause`, JSON.stringify({ reason: 'audit' }), {
      'content-type': 'application/json',
    });
    expect(await paused.json()).toEqual({ status: 'paused' });
    expect(t.sql(`select reason from public.meta_client_controls where client_id = '${ids.stale}'`)).toBe(
      'audit',
    );
    const long = await post(`/api/clients/${ids.stale}/pause`, JSON.stringify({ reason: 'x'.repeat(501) }), {
      'content-type': 'application/json',
    });
    expect(long.status).toBe(400);
    expect((await post(`/api/clients/${ids.stale}/resume`)).status).toBe(200);
    expect((await post(`/api/clients/${ids.stale}/delete`)).status).toBe(404);
    expect((await post(`/console/clients/00000000-0000-4000-8000-000000000099/pause`)).status).toBe(404);
  });

  it('clears the app-wide block', async () => {
    const limiter = createLimiter({
      redis: runtime.redis,
      keyPrefix: limiterKeyPrefixFor(runtime.config.queuePrefix),
    });
    await limiter.recordUsage({ scope: 'app', throttled: true, blockForMs: 600_000, reason: 'code 4' });
    const page = await (await get('/console')).text();
    expect(page).toContain('App-wide throttle in force');
    const res = await post('/console/app-block/clear');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console?notice=app-block-cleared');
    expect(await limiter.getAppBlock()).toBeNull();
    await limiter.recordUsage({ scope: 'app', throttled: true, blockForMs: 600_000, reason: 'code 4' });
    expect(await (await post('/api/app-block/clear')).json()).toEqual({ status: 'app-block-cleared' });
    expect(await limiter.getAppBlock()).toBeNull();
  });
});

describe('freshness gauges and producer status --clients', () => {
  it('exposes per-objective gauges with bounded labels', async () => {
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/meta_producer_freshness_clients\{objective="month_cache",state="not_met"\} 1/);
    expect(text).toMatch(/meta_producer_freshness_clients\{objective="validation",state="met"\} \d+/);
    expect(text).toMatch(/meta_producer_freshness_oldest_age_seconds\{objective="month_cache"\} 1[78]\d{3}/);
    expect(text).toContain('meta_producer_freshness_objective_seconds{objective="insights"} 108000');
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
  });

  it('prints the clients table and its JSON', async () => {
    const out: string[] = [];
    const deps = {
      status: () => runtime.status(),
      clients: (q: Parameters<Runtime['clientConsole']['clients']>[0]) => runtime.clientConsole.clients(q),
      out: { write: (s: string) => out.push(s) > 0 },
    } as unknown as statusCommand.StatusDeps;
    expect(await statusCommand.run(statusCommand.parse(['--clients', '--filter', 'failing']), deps)).toBe(0);
    const text = out.join('');
    expect(text).toContain('Clients (all 6, failing 1');
    expect(text).toContain('act_5002');
    expect(text).toContain('the token cannot reach this ad account');
    expect(text).not.toContain('act_5001');
    out.length = 0;
    await statusCommand.run(statusCommand.parse(['--clients', '--json']), deps);
    expect((JSON.parse(out.join('')) as { total: number }).total).toBe(6);
    expect(() => statusCommand.parse(['--filter', 'failing'])).toThrow('--filter needs --clients');
    expect(() => statusCommand.parse(['--clients', '--filter', 'odd'])).toThrow('--filter must be one of');
  });
});

// Last: it breaks this file's database on purpose.
describe('a database without migration 0005', () => {
  it('answers 503 saying to migrate, instead of an internal error', async () => {
    t.sql(`drop function public.meta_client_overview(uuid, integer, uuid); notify pgrst, 'reload schema';`);
    // PostgREST reloads its schema cache on its own time: poll (bounded) until it no longer has the function.
    const deadline = Date.now() + 10_000;
    let res = await get('/console');
    while (res.status !== 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res = await get('/console');
    }
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe(
      'the database is not migrated for the console (meta_client_overview): run pnpm db:migrate',
    );
    expect((await get('/api/clients')).status).toBe(503);
  });
});
