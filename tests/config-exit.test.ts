/**
 * Every app and CLI ends the same way on a bad configuration value: exit 78 (EX_CONFIG) and one line per
 * problem on stderr naming the variable, before any service is touched (so no service is needed here).
 * Flags stay exit 2. Each process is spawned with a minimal environment from a directory without `.env`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const path = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));
const WORKER = path('apps/worker/src/main.ts');
const PRODUCER = path('apps/producer/src/main.ts');
const START_ALL = path('apps/producer/src/start-all.ts');
const DEMO = path('apps/demo/src/main.ts');
const TOKEN = 'EAAConfigExitTokenValue';

const cwd = mkdtempSync(join(tmpdir(), 'config-exit-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** A valid configuration for both apps; the services are never reached. */
const VALID = {
  REDIS_URL: 'redis://127.0.0.1:1',
  SUPABASE_URL: 'http://127.0.0.1:1',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
  META_ACCESS_TOKEN: TOKEN,
};

describe('a bad configuration value exits 78 with the variable named', () => {
  it.each([
    ['CONCURRENCY_VALIDATE', 'abc', "worker: CONCURRENCY_VALIDATE: expected an integer, got 'abc'"],
    ['QUEUE_PREFIX', '{a}{b}', 'worker: QUEUE_PREFIX: invalid queue prefix "{a}{b}"'],
    ['WORKER_HTTP_PORT', ' 0x10 ', "worker: WORKER_HTTP_PORT: expected a port from 0 to 65535, got '0x10'"],
  ])('node apps/worker/src/main.ts with %s=%j', async (variable, value, line) => {
    const { code, stdout, stderr } = await run([WORKER], { ...VALID, [variable]: value });
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(line);
    expect(stderr + stdout).not.toContain(TOKEN);
  });

  it.each([
    ['QUEUE_PREFIX', '{a}{b}', 'producer: QUEUE_PREFIX: invalid queue prefix "{a}{b}"'],
    ['ADMIN_PORT', '1e3', "producer: ADMIN_PORT: expected a port from 0 to 65535, got '1e3'"],
    ['FANOUT_CONCURRENCY', 'abc', "producer: FANOUT_CONCURRENCY: expected an integer, got 'abc'"],
  ])('node apps/producer/src/main.ts status with %s=%j', async (variable, value, line) => {
    const { code, stdout, stderr } = await run([PRODUCER, 'status'], { ...VALID, [variable]: value });
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(line);
    expect(stderr).not.toContain(TOKEN);
  });

  it('a Redis Cluster configuration is accepted (not a configuration error): unreachable nodes are named at start', async () => {
    const { REDIS_URL: _url, ...withoutUrl } = VALID;
    const env = { ...withoutUrl, REDIS_CLUSTER_NODES: '127.0.0.1:1' };
    const worker = await run([WORKER], env);
    expect(worker.code).not.toBe(78);
    expect(worker.code).not.toBe(0);
    expect(worker.stderr).toContain('REDIS_CLUSTER_NODES');
    expect(worker.stderr).not.toContain(TOKEN);
  });

  it('an untagged QUEUE_PREFIX on a Redis Cluster is a configuration error too: 78 from both apps (issue 12.8)', async () => {
    const { REDIS_URL: _url, ...withoutUrl } = VALID;
    const env = { ...withoutUrl, REDIS_CLUSTER_NODES: '127.0.0.1:1', QUEUE_PREFIX: 'meta' };
    const line = 'QUEUE_PREFIX: queue prefix "meta" has no hash tag: on Redis Cluster';
    const worker = await run([WORKER], env);
    expect(worker.code).toBe(78);
    expect(worker.stderr).toContain(`worker: ${line}`);
    const producer = await run([PRODUCER, 'status'], env);
    expect(producer.code).toBe(78);
    expect(producer.stderr).toContain(`producer: ${line}`);
    expect(worker.stderr + producer.stderr).not.toContain(TOKEN);
  });

  it('a token file that cannot be read names the variable and the path', async () => {
    const { META_ACCESS_TOKEN: _token, ...withoutToken } = VALID;
    const missing = join(cwd, 'no-token-here');
    const { code, stderr } = await run([WORKER], { ...withoutToken, META_ACCESS_TOKEN_FILE: missing });
    expect(code).toBe(78);
    expect(stderr).toBe(`worker: META_ACCESS_TOKEN_FILE: cannot read ${missing} (no such file)\n`);
  });

  it('pnpm start (start-all) passes on the 78 of its children, and refuses a malformed .env itself', async () => {
    const bad = await run([START_ALL], { ...VALID, LOG_LEVEL: 'loud' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/^(worker|producer): LOG_LEVEL: expected one of fatal, error/m);

    const envFile = join(cwd, 'broken.env');
    writeFileSync(envFile, `META_ACCESS_TOKEN ${TOKEN}\n`);
    const broken = await run([START_ALL], { ...VALID, ENV_FILE: envFile });
    expect(broken.code).toBe(78);
    expect(broken.stderr).toBe(`start: ${envFile}: line 1 is not NAME=value\n`);
  });

  it('pnpm demo checks the configuration before starting anything (78), and its flags (2)', async () => {
    const bad = await run([DEMO, '--once'], { CONCURRENCY_VALIDATE: 'abc' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toBe("pnpm demo: CONCURRENCY_VALIDATE: expected an integer, got 'abc'\n");
    expect(bad.stdout).toBe('');

    const flag = await run([DEMO, '--clients', '1e3'], {});
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("pnpm demo: --clients: expected an integer, got '1e3'\n");
  });
});
