import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createProducerConnection,
  createWorkerConnection,
  openProducerConnection,
  pingRedis,
  redactRedisUrl,
} from './connections.ts';
import { isRedisUnreachableError } from './errors/redis-unreachable-error.ts';
import { testRedisUrl } from './test-support/redis.ts';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

/** A TCP port that accepts connections and never answers (a hung Redis). */
async function silentPort(): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('connections', () => {
  it('worker connections never give up on a command; producer connections fail fast', async () => {
    const worker = createWorkerConnection(testRedisUrl(), { maxRetriesPerRequest: 3, lazyConnect: true });
    const producer = createProducerConnection(testRedisUrl(), { lazyConnect: true });
    expect(worker.options.maxRetriesPerRequest).toBeNull();
    expect(producer.options.enableOfflineQueue).toBe(false);
    expect(producer.options.maxRetriesPerRequest).toBe(1);
    await pingRedis(worker);
    await pingRedis(producer);
    await worker.quit();
    await producer.quit();
  });

  it('openProducerConnection returns a ready connection', async () => {
    const redis = await openProducerConnection(testRedisUrl());
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
  });

  it('an unreachable Redis fails with one line naming REDIS_URL and no password', async () => {
    const port = await closedPort();
    const error = await openProducerConnection(`redis://user:secret@127.0.0.1:${port}/0`, {
      timeoutMs: 500,
    }).catch((caught: unknown) => caught);
    expect(isRedisUnreachableError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^Redis at REDIS_URL=redis://user:\\*\\*\\*@127.0.0.1:${port}/0 is unreachable`),
    );
    expect((error as Error).message).not.toContain('secret');
  });

  it('a Redis that never answers times out', async () => {
    const port = await silentPort();
    const error = await openProducerConnection(`redis://127.0.0.1:${port}`, {
      timeoutMs: 300,
      variable: 'QUEUE_REDIS_URL',
    }).catch((caught: unknown) => caught);
    expect(isRedisUnreachableError(error)).toBe(true);
    expect((error as Error).message).toContain('QUEUE_REDIS_URL=');
    expect((error as Error).message).toContain('no answer within 300 ms');
  });

  it('redacts passwords and never echoes an unparsable URL', () => {
    expect(redactRedisUrl('redis://:pw@h:1/2')).toBe('redis://:***@h:1/2');
    expect(redactRedisUrl('not a url with secret')).toBe('(unparsable URL)');
  });
});
