import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onProcessExit } from './cleanup.ts';
import { hasContainerRuntime } from './container-runtime.ts';
import { MissingBinaryError, ServiceUnreachableError } from './errors.ts';
import { freePort } from './ports.ts';
import type { ServiceSource, StackOptions } from './types.ts';
import { which } from './which.ts';

export interface RedisService {
  url: string;
  source: ServiceSource;
  /** The temporary directory of a binary we started (removed by stop()). */
  directory?: string;
  /**
   * Only for a `redis-server` this helper started: stop it and start it again on the same port (empty:
   * no persistence), to emulate a Redis outage (the reliability suites).
   */
  server?: RedisServerControl;
  stop(): Promise<void>;
}

/** A Redis outage on demand. */
export interface RedisServerControl {
  /** SIGTERM; connections drop, commands wait or fail per the client's settings. */
  stopServer(): Promise<void>;
  /** A fresh `redis-server` on the same port; resolves once it answers. */
  startServer(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Pings Redis once within `timeoutMs`. Throws ServiceUnreachableError naming `variable` instead of letting
 * ioredis retry forever, which is what an unreachable REDIS_URL would otherwise do.
 */
export async function pingRedis(url: string, variable = 'REDIS_URL', timeoutMs = 2000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ServiceUnreachableError(variable, JSON.stringify(url), 'not a valid URL', { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ServiceUnreachableError(variable, redactUrl(parsed), 'expected a redis:// or rediss:// URL');
  }
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // Reported through connect() below; without a listener ioredis prints to stderr.
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceUnreachableError(variable, redactUrl(parsed), reason, { cause: error });
  } finally {
    client.disconnect();
  }
}

/** Strips a password from a URL before it goes into a message. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/** Redis from REDIS_URL when set and reachable, else a container when Docker runs, else `redis-server`. */
export async function startRedis(options: StackOptions = {}): Promise<RedisService> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (env.REDIS_URL) {
    try {
      await pingRedis(env.REDIS_URL);
      return { url: env.REDIS_URL, source: 'env', stop: async () => {} };
    } catch (error) {
      log(`${(error as Error).message}; starting a private Redis instead`);
    }
  }
  if (await hasContainerRuntime(env)) return startRedisContainer();
  return startRedisBinary();
}

async function startRedisContainer(): Promise<RedisService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  return { url, source: 'container', stop: async () => void (await container.stop()) };
}

async function startRedisBinary(): Promise<RedisService> {
  const binary = which('redis-server');
  if (!binary) {
    throw new MissingBinaryError(
      'redis-server',
      'install it (apt-get install redis-server) or set REDIS_URL',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'local-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  let child: ChildProcess = spawn(binary, args, { stdio: 'ignore' });
  let exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const removeExitHook = onProcessExit(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `redis://127.0.0.1:${port}`;
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (isRunning()) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitForRedis(url, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    removeExitHook();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    source: 'binary',
    directory: dir,
    server: {
      stopServer: kill,
      async startServer() {
        if (isRunning()) return;
        child = spawn(binary, args, { stdio: 'ignore' });
        exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        await waitForRedis(url, 10_000);
      },
      isRunning,
    },
    stop: async () => {
      removeExitHook();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await pingRedis(url, 'redis-server', 500);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
