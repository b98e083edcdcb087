import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasContainerRuntime } from './container-runtime.ts';
import {
  type LocalStack,
  ServiceUnreachableError,
  startLocalStack,
  startPostgres,
  startRedis,
} from './index.ts';
import { pingPostgres } from './postgres.ts';
import { pingSupabase } from './postgrest.ts';
import { pingRedis } from './redis.ts';

const noEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH };

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('local stack from local binaries (no environment)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ env: noEnv });
  });

  it('reports no container engine quickly when there is no Docker socket or DOCKER_HOST', async () => {
    const started = performance.now();
    const available = await hasContainerRuntime({ ...noEnv, LOCAL_STACK_NO_CONTAINERS: undefined });
    const elapsed = performance.now() - started;
    if (!existsSync('/var/run/docker.sock')) {
      expect(available).toBe(false);
      expect(elapsed).toBeLessThan(1000);
    }
  });

  it('starts every service from its binary', () => {
    expect(stack.sources).toEqual({ redis: 'binary', postgres: 'binary', postgrest: 'binary' });
  });

  it('upserts and reads rows through supabase-js via /rest/v1 with RLS on and the service-role key', async () => {
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`
      create table public.stack_probe (id int primary key, label text not null, qty int not null default 7);
      alter table public.stack_probe enable row level security;
      grant all on public.stack_probe to service_role;
      notify pgrst, 'reload schema';
    `);
    await sql.end();
    const supabase = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    // PostgREST picks the new table up through its schema-cache reload (NOTIFY above); until then it 404s.
    const upsertBoth = () =>
      supabase.from('stack_probe').upsert(
        [
          { id: 1, label: 'one' },
          { id: 2, label: 'two' },
        ],
        { defaultToNull: false },
      );
    await expect.poll(async () => (await upsertBoth()).error, { timeout: 5000, interval: 50 }).toBeNull();
    const again = await supabase.from('stack_probe').upsert({ id: 1, label: 'uno' }).select();
    expect(again.error).toBeNull();

    const rows = await supabase.from('stack_probe').select('id,label,qty').order('id');
    expect(rows.error).toBeNull();
    expect(rows.data).toEqual([
      { id: 1, label: 'uno', qty: 7 },
      { id: 2, label: 'two', qty: 7 },
    ]);

    const anon = createClient(stack.supabaseUrl, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const denied = await anon.from('stack_probe').select('id');
    expect(denied.error?.code).toBe('42501');
  });

  it('leaves nothing running and deletes its directories after stop()', async () => {
    const ports = [portOf(stack.redisUrl), portOf(stack.databaseUrl), portOf(stack.supabaseUrl)];
    for (const port of ports) expect(await isListening(port)).toBe(true);
    for (const dir of stack.directories) expect(existsSync(dir)).toBe(true);
    await stack.stop();
    for (const port of ports) expect(await isListening(port)).toBe(false);
    expect(stack.directories).toHaveLength(2);
    for (const dir of stack.directories) expect(existsSync(dir)).toBe(false);
  });
});

describe('local stack from environment URLs', () => {
  let provider: LocalStack;

  beforeAll(async () => {
    provider = await startLocalStack({ env: noEnv });
  });
  afterAll(async () => {
    await provider.stop();
  });

  it('uses REDIS_URL, DATABASE_URL and SUPABASE_URL when they are set and reachable', async () => {
    const env = {
      ...noEnv,
      REDIS_URL: provider.redisUrl,
      DATABASE_URL: provider.databaseUrl,
      SUPABASE_URL: provider.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: provider.serviceRoleKey,
    };
    const stack = await startLocalStack({ env });
    try {
      expect(stack.sources).toEqual({ redis: 'env', postgres: 'env', postgrest: 'env' });
      expect(stack.redisUrl).toBe(provider.redisUrl);
      expect(stack.supabaseUrl).toBe(provider.supabaseUrl);
      // A shared server gives each caller its own database, so parallel suites do not collide.
      expect(new URL(stack.databaseUrl).pathname).not.toBe(new URL(provider.databaseUrl).pathname);
      await pingPostgres(stack.databaseUrl);
    } finally {
      await stack.stop();
    }
  });

  it('prepares the database before PostgREST starts, so its first schema load has the tables', async () => {
    const order: string[] = [];
    const stack = await startLocalStack({
      env: { ...noEnv, DATABASE_URL: provider.databaseUrl },
      redis: false,
      prepareDatabase: async (url) => {
        order.push('prepare');
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        await sql.unsafe(
          'create table public.prepared (id int primary key); grant all on public.prepared to service_role;',
        );
        await sql.end();
      },
    });
    try {
      const supabase = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      });
      // No NOTIFY and no polling: the very first request already sees the table.
      const first = await supabase.from('prepared').upsert({ id: 1 }).select();
      expect(first.error).toBeNull();
      expect(first.data).toEqual([{ id: 1 }]);
      expect(order).toEqual(['prepare']);
    } finally {
      await stack.stop();
    }
  });

  it('falls back to a private Redis when REDIS_URL is set but unreachable, and says so', async () => {
    const lines: string[] = [];
    const redis = await startRedis({
      env: { ...noEnv, REDIS_URL: 'redis://127.0.0.1:1' },
      log: (l) => lines.push(l),
    });
    try {
      expect(redis.source).toBe('binary');
      expect(lines.join('\n')).toMatch(/^REDIS_URL: cannot reach/);
    } finally {
      await redis.stop();
    }
  });
});

describe('a private Postgres server that can be stopped and started (database outages)', () => {
  it('ignores DATABASE_URL, stops (connections refused) and starts again on the same port with the same data', async () => {
    const pg = await startPostgres({ ownServer: true, env: { DATABASE_URL: process.env.DATABASE_URL } });
    try {
      expect(pg.source).toBe('binary');
      expect(pg.url).not.toBe(process.env.DATABASE_URL);
      const control = pg.server!;
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      await sql`create table outage_probe (n int)`;
      await sql`insert into outage_probe values (1)`;
      await sql.end({ timeout: 1 });
      await control.stopServer();
      expect(control.isRunning()).toBe(false);
      expect(await isListening(portOf(pg.url))).toBe(false);
      await expect(pingPostgres(pg.url, 'DATABASE_URL', 1000)).rejects.toBeInstanceOf(
        ServiceUnreachableError,
      );
      await control.startServer();
      expect(control.isRunning()).toBe(true);
      const again = postgres(pg.url, { max: 1, onnotice: () => {} });
      expect(await again`select n from outage_probe`).toEqual([{ n: 1 }]);
      await again.end({ timeout: 1 });
    } finally {
      await pg.stop();
    }
    expect(existsSync(pg.directory!)).toBe(false);
  });
});

describe('a bad service URL gives a clear error naming the variable, not a hang', () => {
  it.each([
    [
      'REDIS_URL refused',
      () => pingRedis('redis://127.0.0.1:1'),
      /^REDIS_URL: cannot reach redis:\/\/127\.0\.0\.1:1/,
    ],
    [
      'REDIS_URL malformed',
      () => pingRedis('not a url'),
      /^REDIS_URL: cannot reach "not a url" \(not a valid URL\)/,
    ],
    [
      'REDIS_URL wrong scheme',
      () => pingRedis('http://127.0.0.1:6379'),
      /^REDIS_URL: .*expected a redis:\/\//,
    ],
    [
      'SUPABASE_URL refused',
      () => pingSupabase('http://127.0.0.1:1', 'key'),
      /^SUPABASE_URL: cannot reach http:\/\/127\.0\.0\.1:1/,
    ],
    ['SUPABASE_URL malformed', () => pingSupabase('::nope', 'key'), /^SUPABASE_URL: cannot reach "::nope"/],
    [
      'DATABASE_URL refused',
      () => pingPostgres('postgres://u:secret@127.0.0.1:1/db'),
      /^DATABASE_URL: cannot reach postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    ],
  ])('%s', async (_name, attempt, message) => {
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret');
  });
});
