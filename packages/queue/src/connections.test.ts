import { createServer, type Server, type Socket } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_CONNECTION_OPTIONS,
  clusterTargetOptions,
  createProducerConnection,
  createWorkerConnection,
  describeRedisTarget,
  openProducerConnection,
  pingRedis,
  redactRedisUrl,
  redisTargetVariable,
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

describe('connections for a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const nodes = ['10.0.0.5:7000', 'redis-2.internal:7001', '[::1]:7002'];

  it('a target without cluster nodes is the single Redis at its URL, as before', () => {
    const worker = createWorkerConnection(
      { url: testRedisUrl(), clusterNodes: undefined },
      { lazyConnect: true },
    );
    const producer = createProducerConnection(
      { url: testRedisUrl(), clusterNodes: [] },
      { lazyConnect: true },
    );
    expect(worker).toBeInstanceOf(Redis);
    expect(producer).toBeInstanceOf(Redis);
    expect((worker as Redis).options.maxRetriesPerRequest).toBeNull();
    expect((producer as Redis).options.enableOfflineQueue).toBe(false);
    worker.disconnect();
    producer.disconnect();
  });

  it('a worker cluster connection: maxRetriesPerRequest null in redisOptions (where BullMQ checks it)', () => {
    const cluster = createWorkerConnection(
      { url: undefined, clusterNodes: nodes },
      { maxRetriesPerRequest: 3, lazyConnect: true },
    );
    expect(cluster).toBeInstanceOf(Cluster);
    const options = (cluster as Cluster).options;
    expect(options.redisOptions?.maxRetriesPerRequest).toBeNull();
    expect(options.enableOfflineQueue).toBe(true);
    expect(options.enableReadyCheck).toBe(true);
    expect(options.scaleReads).toBe('master');
    expect(options.lazyConnect).toBe(true);
    expect(options.retryDelayOnFailover).toBe(CLUSTER_CONNECTION_OPTIONS.retryDelayOnFailover);
    expect(options.clusterRetryStrategy?.(3)).toBe(300);
    expect(options.clusterRetryStrategy?.(1000)).toBe(2_000);
    cluster.disconnect();
  });

  it('a producer cluster connection fails fast: no offline queue, one retry, connect timeout', () => {
    const cluster = createProducerConnection({ url: undefined, clusterNodes: nodes }, { lazyConnect: true });
    const options = (cluster as Cluster).options;
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.redisOptions).toMatchObject({ maxRetriesPerRequest: 1, connectTimeout: 5_000 });
    expect(options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    cluster.disconnect();
  });

  it('with cluster nodes the URL only supplies credentials and TLS; TLS connects by hostname', () => {
    const plain = clusterTargetOptions({ url: 'redis://app:s%40cret@ignored-host:1/0', clusterNodes: nodes });
    expect(plain.nodes).toEqual([
      { host: '10.0.0.5', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(plain.redisOptions).toEqual({ username: 'app', password: 's@cret' });
    expect(plain.dnsLookup).toBeUndefined();

    const tls = clusterTargetOptions({
      url: 'rediss://:pw@x',
      clusterNodes: ['clustercfg.example.cache.amazonaws.com:6379'],
    });
    expect(tls.redisOptions).toEqual({ password: 'pw', tls: {} });
    let resolved: string | undefined;
    tls.dnsLookup?.('node-1.example.cache.amazonaws.com', (_error, address) => {
      resolved = address;
    });
    expect(resolved).toBe('node-1.example.cache.amazonaws.com');

    const cluster = createWorkerConnection(
      { url: 'rediss://:pw@x', clusterNodes: nodes },
      { lazyConnect: true },
    );
    expect((cluster as Cluster).options.redisOptions).toMatchObject({ password: 'pw', tls: {} });
    expect((cluster as Cluster).options.dnsLookup).toBeTypeOf('function');
    cluster.disconnect();
  });

  it.each([
    [['10.0.0.5'], /REDIS_CLUSTER_NODES: "10.0.0.5" is not host:port/],
    [['10.0.0.5:0'], /REDIS_CLUSTER_NODES: "10.0.0.5:0" is not host:port/],
    [['redis://10.0.0.5:7000'], /REDIS_CLUSTER_NODES: "redis:\/\/10.0.0.5:7000" is not host:port/],
  ])('refuses the cluster nodes %j with a message naming REDIS_CLUSTER_NODES', (bad, message) => {
    expect(() => createWorkerConnection({ url: undefined, clusterNodes: bad })).toThrow(message);
  });

  it('refuses a URL with a database other than 0 or another scheme next to cluster nodes', () => {
    expect(() => clusterTargetOptions({ url: 'redis://h:1/2', clusterNodes: nodes })).toThrow(
      /REDIS_URL: a Redis Cluster has only database 0/,
    );
    expect(() => clusterTargetOptions({ url: 'http://h:1', clusterNodes: nodes })).toThrow(
      /REDIS_URL: expected redis:\/\/ or rediss:\/\//,
    );
    expect(() => createWorkerConnection({ url: undefined, clusterNodes: undefined })).toThrow(
      /REDIS_URL is required unless REDIS_CLUSTER_NODES is set/,
    );
  });

  it('names the variable and the nodes (never the password) in messages', () => {
    expect(redisTargetVariable({ url: 'redis://h', clusterNodes: nodes })).toBe('REDIS_CLUSTER_NODES');
    expect(redisTargetVariable({ url: 'redis://h', clusterNodes: undefined })).toBe('REDIS_URL');
    expect(describeRedisTarget({ url: 'redis://:pw@h', clusterNodes: nodes })).toBe(nodes.join(','));
    expect(describeRedisTarget({ url: 'redis://:pw@h:1/0', clusterNodes: undefined })).toBe(
      'redis://:***@h:1/0',
    );
  });

  it('an unreachable cluster fails with one line naming REDIS_CLUSTER_NODES and its nodes', async () => {
    const port = await closedPort();
    const error = await openProducerConnection(
      { url: 'redis://:secret@ignored', clusterNodes: [`127.0.0.1:${port}`] },
      { timeoutMs: 500 },
    ).catch((caught: unknown) => caught);
    expect(isRedisUnreachableError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^Redis at REDIS_CLUSTER_NODES=127.0.0.1:${port} is unreachable`),
    );
    expect((error as Error).message).not.toContain('secret');
  });
});
