/**
 * The demo flow (`pnpm demo --once`) on a real Redis Cluster (three masters, one replica each): validate,
 * refresh-cache and collect-insights through the real worker and producer against the Meta sandbox, every
 * client ending as expected, rows checked in Postgres; Bull Board reads the queues through the cluster;
 * the queues' keys all live in the prefix's slot while the limiter's per-account keys spread over masters.
 * Skips (saying why) only where cluster mode cannot run.
 */
import { randomUUID } from 'node:crypto';
import { type DemoHandle, runDemoTasks, startDemo } from '@meta-engine/demo';
import type { RedisCluster } from '@meta-engine/local-stack';
import { limiterKeyPrefixFor, scanKeys } from '@meta-engine/queue';
import { Cluster } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuiteCluster } from './support/cluster.ts';

const cluster: RedisCluster | undefined = await startSuiteCluster('cluster-e2e-demo');

const CLIENTS = 8;
const TAG = `cluster-e2e-${randomUUID().slice(0, 8)}`;
const PREFIX = `{${TAG}}`;

describe.skipIf(!cluster)('pnpm demo --once flow on a Redis Cluster', () => {
  let demo: DemoHandle;
  let sql: postgres.Sql;
  let outcome: Awaited<ReturnType<typeof runDemoTasks>>;
  const logLines: string[] = [];
  const output: string[] = [];

  const clientOf = (role: string) => {
    const client = demo.clients.find((c) => c.role === role);
    if (!client) throw new Error(`no ${role} client`);
    return client;
  };

  beforeAll(async () => {
    demo = await startDemo({
      clients: CLIENTS,
      port: 0,
      queuePrefix: PREFIX,
      redisClusterNodes: [...cluster!.nodes],
      out: Object.assign(
        { write: (chunk: string) => output.push(chunk) },
        { isTTY: false },
      ) as unknown as NodeJS.WriteStream,
      logDestination: { write: (line: string) => logLines.push(line) },
    });
    outcome = await runDemoTasks(demo);
    sql = postgres(demo.stack.databaseUrl, { max: 2, onnotice: () => {} });
  }, 240_000);

  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await demo?.close();
    await cluster?.stop();
  });

  it('runs on the cluster: worker and producer connections are Redis Cluster clients', () => {
    expect(output.join('')).toContain(`redis: cluster ${cluster!.nodes.join(',')}`);
    expect(demo.runtime.redis).toBeInstanceOf(Cluster);
    expect(demo.runtime.redisTarget).toEqual({ url: undefined, clusterNodes: cluster!.nodes });
  });

  it('ends with every client as expected', () => {
    expect(outcome.problems).toEqual([]);
    for (const task of ['validate', 'refresh-cache', 'collect-insights'] as const) {
      expect(output.join('')).toMatch(new RegExp(`run-${task}-.*finished`));
    }
  });

  it('writes validations, caches and 90 KPI days for an active client, each row once', async () => {
    const client = clientOf('normal');
    const [row] = await sql`select api_status, token_health_status from clients where id = ${client.id}`;
    expect(row).toMatchObject({ api_status: 'valid', token_health_status: 'valid' });
    const validations =
      await sql`select outcome from meta_ad_account_validations where client_id = ${client.id}`;
    expect(validations.map((v) => v.outcome)).toEqual(['active']);
    expect(await sql`select 1 from current_month_cache where client_id = ${client.id}`).toHaveLength(1);
    expect(await sql`select 1 from current_week_cache where client_id = ${client.id}`).toHaveLength(1);
    const [kpi] = await sql`select count(*)::int as n, count(distinct date)::int as days
      from daily_kpi_data where client_id = ${client.id}`;
    expect(kpi).toEqual({ n: 90, days: 90 });
    const dupes = await sql`select ad_account_id, campaign_id, date from meta_campaign_insights
      group by 1, 2, 3 having count(*) > 1`;
    expect(dupes).toHaveLength(0);
  });

  it('the heavy account ran out of its quota: learned, it waited for the next window instead of being throttled, and completed', async () => {
    const client = clientOf('heavy');
    const account = demo.sandbox.counters().accounts[client.adAccountId];
    const throttles = Object.values(account ?? {}).reduce((n, b) => n + b.throttles, 0);
    // Nobody told the engine its 6 calls per window: it learned them from the headers and waited instead.
    expect(throttles).toBeLessThanOrEqual(1);
    const summary = outcome.summaries.find((s) => s.client.id === client.id);
    const waits =
      (summary?.jobs['refresh-cache'].waits ?? 0) + (summary?.jobs['collect-insights'].waits ?? 0);
    expect(waits).toBeGreaterThan(0);
    expect(summary?.jobs['refresh-cache'].state).toBe('completed');
    expect(summary?.jobs['collect-insights'].state).toBe('completed');
    expect(summary?.daysCollected).toBe(90);
  });

  it("keeps every queue key in the prefix's slot and each limiter key in its account's slot", async () => {
    const prefixSlot = await cluster!.slotOf(PREFIX);
    const queueKeys: string[] = [];
    for await (const keys of scanKeys(demo.runtime.redis, `${PREFIX}:*`)) queueKeys.push(...keys);
    expect(queueKeys.length).toBeGreaterThan(20);
    const queueSlots = new Set(await Promise.all(queueKeys.map((key) => cluster!.slotOf(key))));
    expect([...queueSlots]).toEqual([prefixSlot]);

    const limiterKeys: string[] = [];
    for await (const keys of scanKeys(demo.runtime.redis, `${limiterKeyPrefixFor(PREFIX)}:{*}:*`)) {
      limiterKeys.push(...keys);
    }
    expect(limiterKeys.length).toBeGreaterThan(0);
    // The app-wide keys share their own hash tag; every other limiter key is tagged with its account.
    const appKeys = limiterKeys.filter((key) => key.includes(':{app}'));
    expect(new Set(await Promise.all(appKeys.map((key) => cluster!.slotOf(key)))).size).toBeLessThanOrEqual(
      1,
    );
    for (const key of limiterKeys.filter((k) => !k.includes(':{app}'))) {
      const account = /:\{([^}]+)\}:/.exec(key)?.[1];
      expect(demo.clients.map((c) => c.adAccountId.replace('act_', ''))).toContain(account);
      expect(await cluster!.slotOf(key)).toBe(await cluster!.slotOf(account!));
    }
  });

  it('Bull Board reads the queues through the cluster', async () => {
    const auth = `Basic ${Buffer.from(`${demo.adminUser}:${demo.adminPassword}`).toString('base64')}`;
    const response = await fetch(`${demo.service.url}/admin/queues/api/queues?activeQueue=collect-insights`, {
      headers: { authorization: auth },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      queues: Array<{ name: string; counts: Record<string, number> }>;
    };
    const names = body.queues.map((q) => q.name).sort();
    expect(names).toEqual([
      'collect-insights',
      'drift-check',
      'fanout',
      'refresh-cache',
      'summaries',
      'validate',
    ]);
    const collect = body.queues.find((q) => q.name === 'collect-insights');
    expect(collect?.counts.completed).toBeGreaterThanOrEqual(CLIENTS - 1);
    expect(collect?.counts.failed).toBe(0);
  });

  it('the token appears in no log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(demo.env.META_ACCESS_TOKEN!);
  });
});
