/**
 * `node apps/worker/src/main.ts` refuses to start with one clear line per problem: a missing or malformed
 * variable (named; exit 78), Redis unreachable (REDIS_URL named; exit 1), Supabase unreachable
 * (SUPABASE_URL named; exit 1), a service-role key PostgREST refuses (SUPABASE_SERVICE_ROLE_KEY named, with
 * PostgREST's reason; exit 1). The token never appears in that output.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { migrate } from '@meta-engine/db';
import { signSupabaseKey, startLocalStack } from '@meta-engine/local-stack';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../apps/worker/src/main.ts', import.meta.url));
const TOKEN = 'EAAMainTestTokenValue123';

async function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // cwd outside the repository: no .env is picked up.
  const child = spawn(process.execPath, [MAIN], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const VALID = {
  SUPABASE_SERVICE_ROLE_KEY: 'x'.repeat(40),
  META_ACCESS_TOKEN: TOKEN,
};

describe('worker main: start-up errors', () => {
  it('names every missing or malformed variable, one line each, exit 78', async () => {
    const { code, output } = await runMain({ META_ACCESS_TOKEN: TOKEN, CONCURRENCY_VALIDATE: 'many' });
    expect(code).toBe(78);
    const lines = output.trim().split('\n');
    expect(lines).toEqual([
      'worker: REDIS_URL: is required (or REDIS_CLUSTER_NODES)',
      'worker: SUPABASE_URL: is required',
      'worker: SUPABASE_SERVICE_ROLE_KEY: is required',
      "worker: CONCURRENCY_VALIDATE: expected an integer, got 'many'",
    ]);
  });

  it('names REDIS_URL when Redis is unreachable', async () => {
    const { code, output } = await runMain({
      ...VALID,
      REDIS_URL: 'redis://127.0.0.1:1',
      SUPABASE_URL: 'http://127.0.0.1:1',
    });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^worker: Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1 is unreachable: /);
    expect(output).not.toContain(TOKEN);
  });

  it('names SUPABASE_URL when Supabase is unreachable', async () => {
    const { code, output } = await runMain({
      ...VALID,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      SUPABASE_URL: 'http://127.0.0.1:1',
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^worker: Supabase at SUPABASE_URL=http:\/\/127\.0\.0\.1:1 is unreachable/);
    expect(output).not.toContain(TOKEN);
  });

  it('names SUPABASE_SERVICE_ROLE_KEY when PostgREST refuses it, with the reason (issue 12.7)', async () => {
    const stack = await startLocalStack({
      redis: false,
      prepareDatabase: async (url) => void (await migrate(url)),
    });
    try {
      const { code, output } = await runMain({
        ...VALID,
        SUPABASE_SERVICE_ROLE_KEY: signSupabaseKey('service_role', 'not-the-project-jwt-secret-0123456789'),
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        SUPABASE_URL: stack.supabaseUrl,
        LOG_LEVEL: 'silent',
      });
      expect(code).toBe(1);
      expect(output.trim()).toMatch(
        /^worker: Supabase at SUPABASE_URL=\S+ refused SUPABASE_SERVICE_ROLE_KEY \(HTTP 401\b.*JWSInvalidSignature.*\): use the project's service_role key/,
      );
      expect(output).not.toContain('unknown error');
      expect(output).not.toContain(TOKEN);
    } finally {
      await stack.stop();
    }
  });
});
