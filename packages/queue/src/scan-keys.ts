/**
 * @module scan-keys
 * SCAN on a single Redis or on every master of a Redis Cluster, and deleting what it finds without
 * CROSSSLOT errors. A Cluster client sends SCAN to one node only, so a scan through it sees a third of the
 * keys of a three-master cluster; and `DEL k1 k2` with keys of two slots is refused. Both helpers go
 * through each master's own connection and delete key by key (one pipeline per batch).
 *
 * For operators' tools and tests (cleanup of a prefix); nothing on a job's path scans.
 *
 * @example
 * for await (const keys of scanKeys(redis, '*{w1a2b3}*')) console.log(keys.length);
 * await deleteKeysMatching(redis, '*w1a2b3*');
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './lua/loader.ts';

export interface ScanOptions {
  /** SCAN COUNT hint (default 1000). */
  count?: number;
}

/** The connections to scan: the client itself, or each master of a cluster (as known now). */
export function scanTargets(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Batches of keys matching `pattern`, from every master. A key may appear twice (SCAN's guarantee). */
export async function* scanKeys(
  client: RedisClient,
  pattern: string,
  options: ScanOptions = {},
): AsyncGenerator<string[]> {
  if (client instanceof Cluster && client.status !== 'ready') await waitForCluster(client);
  for (const node of scanTargets(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', options.count ?? 1000);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes every key matching `pattern` on every master; returns how many were deleted. */
export async function deleteKeysMatching(
  client: RedisClient,
  pattern: string,
  options: ScanOptions = {},
): Promise<number> {
  if (client instanceof Cluster && client.status !== 'ready') await waitForCluster(client);
  let deleted = 0;
  for (const node of scanTargets(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', options.count ?? 1000);
      cursor = next;
      if (keys.length === 0) continue;
      // One command per key: keys found on one node may still belong to several slots.
      const replies = (await node.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? [];
      for (const [error, count] of replies) {
        if (error) throw error;
        deleted += Number(count);
      }
    } while (cursor !== '0');
  }
  return deleted;
}

async function waitForCluster(cluster: Cluster): Promise<void> {
  if (cluster.status === 'wait') {
    await cluster.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      cluster.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      cluster.off('ready', onReady);
      reject(new Error('the cluster connection ended before it was ready'));
    };
    cluster.once('ready', onReady);
    cluster.once('end', onEnd);
  });
}
