/**
 * @module test-support/stack
 * For the producer's integration tests: the local stack (real Redis, Postgres, PostgREST), migrated with
 * the db package's migrations, seeded with plain SQL through `psql`, and a producer runtime on a
 * unique queue prefix (so test files never see each other's keys). Not used by production code.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { migrate } from '@meta-engine/db';
import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import { pino } from 'pino';
import { loadConfig, type ProducerConfig } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';

export const ADMIN_ID = '00000000-0000-4000-8000-000000000001';
export const TEST_TOKEN = 'EAAFakeProducerTestToken00';
export const ADMIN = { user: 'operator', password: 'correct-horse-battery' };

export interface TestStack {
  stack: LocalStack;
  /** Runs SQL as the superuser; returns psql's unaligned output. */
  sql(text: string): string;
  /** Inserts `count` valid clients named `<prefix> n`; returns their ids ordered by id. */
  seedClients(
    count: number,
    options?: { prefix?: string; apiStatus?: string; adAccountBase?: number },
  ): string[];
  /** A config for this stack on a fresh queue prefix (overrides win). */
  config(overrides?: NodeJS.ProcessEnv): ProducerConfig;
  /** A runtime on `config` (closed by stop()). */
  runtime(config?: ProducerConfig): Promise<Runtime>;
  stop(): Promise<void>;
}

export function uniquePrefix(): string {
  return `{t${randomBytes(5).toString('hex')}}`;
}

export async function startTestStack(): Promise<TestStack> {
  const stack = await startLocalStack({ prepareDatabase: async (url) => void (await migrate(url)) });
  const runtimes: Runtime[] = [];
  try {
    const sql = (text: string): string => {
      const result = spawnSync('psql', [stack.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qAt', '-f', '-'], {
        input: text,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr || result.error?.message}`);
      return result.stdout.trim();
    };
    sql(
      `insert into public.profiles (id, email, role) values ('${ADMIN_ID}', 'admin@example.com', 'admin') on conflict do nothing;`,
    );
    let seeded = 0;
    const config = (overrides: NodeJS.ProcessEnv = {}): ProducerConfig =>
      loadConfig(
        {
          REDIS_URL: stack.redisUrl,
          SUPABASE_URL: stack.supabaseUrl,
          SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
          META_ACCESS_TOKEN: TEST_TOKEN,
          TOKEN_FINGERPRINT_KEY: 'test-fingerprint-key',
          QUEUE_PREFIX: uniquePrefix(),
          ADMIN_USER: ADMIN.user,
          ADMIN_PASSWORD: ADMIN.password,
          ADMIN_PORT: '0',
          LOG_LEVEL: 'silent',
          ...overrides,
        },
        {},
      );
    return {
      stack,
      sql,
      seedClients(count, options = {}) {
        const prefix = options.prefix ?? 'Hotel';
        const status = options.apiStatus ?? 'valid';
        const base = options.adAccountBase ?? 100_000_000 + seeded;
        const tag = randomUUID().slice(0, 8);
        seeded += count;
        const out = sql(`
          with inserted as (
            insert into public.clients (admin_id, name, email, ad_account_id, api_status)
            select '${ADMIN_ID}', '${prefix} ' || g, '${tag}-' || g || '@example.com', (${base} + g)::text,
                   '${status}'::public.api_status
            from generate_series(1, ${count}) g
            returning id
          )
          select id from inserted order by id;`);
        return out.split('\n').filter(Boolean);
      },
      config,
      async runtime(runtimeConfig) {
        const runtime = await openRuntime(runtimeConfig ?? config(), { logger: pino({ level: 'silent' }) });
        runtimes.push(runtime);
        return runtime;
      },
      async stop() {
        for (const runtime of runtimes.reverse()) await runtime.close().catch(() => {});
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop().catch(() => {});
    throw error;
  }
}
