/**
 * The local Redis Cluster: six real nodes, three masters with a replica each; a killed master is replaced
 * by its replica and the data it had replicated survives; a restarted node rejoins as a replica; stop()
 * leaves nothing behind. When this machine cannot run cluster mode the suite says why and skips.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterNodes, type RedisCluster, startRedisCluster } from './redis-cluster.ts';

const started = await startRedisCluster();
if (!started.available) {
  process.stderr.write(`[redis-cluster.test] cluster suite skipped: ${started.reason}: ${started.detail}\n`);
}

function isListening(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startRedisCluster when cluster mode cannot run', () => {
  it('reports a missing redis-server as unavailable instead of throwing', async () => {
    const result = await startRedisCluster({ env: { PATH: '/nonexistent' } });
    expect(result).toEqual({
      available: false,
      reason: 'no-redis-server',
      detail: expect.stringMatching(/^redis-server not found/),
    });
  });

  it.runIf(started.available)(
    'reports a failing --cluster create (two masters) with its output',
    async () => {
      const result = await startRedisCluster({ masters: 2, replicas: 0 });
      expect(result.available).toBe(false);
      if (result.available) return;
      expect(result.reason).toBe('cluster-create-failed');
      expect(result.detail).toMatch(/At least 3 nodes are required/);
    },
  );
});

describe('parseClusterNodes', () => {
  it('reads roles, masters, slot ranges and failure flags', () => {
    const text = [
      'a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
      'b2 127.0.0.1:7001@17001 master,fail - 1 1 2 disconnected 5461-10922 [93->-c3]',
      'c3 127.0.0.1:7002@17002 slave a1 0 2 1 connected',
    ].join('\n');
    expect(parseClusterNodes(text)).toEqual([
      {
        id: 'a1',
        address: '127.0.0.1:7000',
        role: 'master',
        masterId: null,
        failing: false,
        slots: [[0, 5460]],
      },
      {
        id: 'b2',
        address: '127.0.0.1:7001',
        role: 'master',
        masterId: null,
        failing: true,
        slots: [[5461, 10922]],
      },
      { id: 'c3', address: '127.0.0.1:7002', role: 'replica', masterId: 'a1', failing: false, slots: [] },
    ]);
  });
});

describe.runIf(started.available)('a local Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(() => {
    if (!started.available) throw new Error('unreachable');
    cluster = started.cluster;
    client = new Cluster(
      cluster.nodes.map((address) => {
        const [host, port] = address.split(':');
        return { host: host!, port: Number(port) };
      }),
      { redisOptions: { maxRetriesPerRequest: null }, retryDelayOnFailover: 200, maxRedirections: 64 },
    );
    client.on('error', () => {});
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('has three masters covering all 16384 slots, each with one linked replica', async () => {
    const topology = await cluster.topology();
    const masters = topology.filter((node) => node.role === 'master');
    const replicas = topology.filter((node) => node.role === 'replica');
    expect(cluster.nodes).toHaveLength(6);
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    const covered = masters.flatMap((node) => node.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(covered).toBe(16_384);
    for (const master of masters) {
      expect(replicas.filter((replica) => replica.masterId === master.id)).toHaveLength(1);
    }
  });

  it('hashes keys by their {tag}, as ioredis does', async () => {
    expect(await cluster.slotOf('{meta}:validate:wait')).toBe(await cluster.slotOf('meta'));
    expect(await cluster.slotOf('foo')).toBe(12_182);
  });

  it('a killed master is replaced by its replica, keeps replicated data, and rejoins as a replica', async () => {
    const key = '{failover-probe}:value';
    await client.set(key, 'kept');
    // Replication is asynchronous: make sure the replica has the write before the master dies.
    const master = await cluster.masterOf(await cluster.slotOf(key));
    expect(
      await client
        .nodes('master')
        .find((n) => `${n.options.host}:${n.options.port}` === master.address)
        ?.call('WAIT', '1', '5000'),
    ).toBe(1);

    const killed = await cluster.killMasterOf(key);
    expect(killed.address).toBe(master.address);
    expect(killed.replicas).toHaveLength(1);
    expect(await isListening(killed.address)).toBe(false);

    const promoted = await cluster.waitForFailover(killed);
    expect(promoted.address).toBe(killed.replicas[0]);
    expect(await client.get(key)).toBe('kept');

    await cluster.restartNode(killed.address);
    const back = (await cluster.topology()).find((node) => node.address === killed.address);
    expect(back).toMatchObject({ role: 'replica', masterId: promoted.id, failing: false });
    await cluster.waitUntilHealthy();
  });

  it('stop() kills every node and removes the directory', async () => {
    expect(existsSync(cluster.directory)).toBe(true);
    await cluster.stop();
    for (const address of cluster.nodes) expect(await isListening(address)).toBe(false);
    expect(existsSync(cluster.directory)).toBe(false);
    await cluster.stop();
  });
});
