/**
 * @module redis-cluster
 * A real Redis Cluster on loopback for tests: six `redis-server --cluster-enabled yes` nodes on free ports in
 * a temporary directory, joined by `redis-cli --cluster create ... --cluster-replicas 1` into three masters
 * with one replica each. A single Redis cannot show what only a cluster does (CROSSSLOT errors from scripts
 * and transactions whose keys live in two slots, MOVED redirections, a master replaced by its replica), so
 * the cluster suites run on this.
 *
 * `startRedisCluster()` never throws for an environment that cannot run cluster mode: it returns
 * `{ available: false, reason, detail }` (no `redis-server` or `redis-cli`, a server that refuses
 * `--cluster-enabled`, or a `--cluster create` that fails), so a suite can skip and say why. Anything else
 * (a cluster that was created but never becomes healthy) is a failure and throws.
 *
 * The nodes run with a short `cluster-node-timeout` (1 s, so a killed master is replaced within a few
 * seconds), `cluster-replica-validity-factor 0` (a replica may always take over), no persistence and
 * `maxmemory-policy noeviction` (what BullMQ requires).
 *
 * @example
 * const started = await startRedisCluster();
 * if (!started.available) return console.log(`skipped: ${started.detail}`);
 * const { cluster } = started;
 * const killed = await cluster.killMasterOf('{meta}');   // SIGKILL the master serving that key's slot
 * const promoted = await cluster.waitForFailover(killed); // its replica, now master of the slot
 * await cluster.restartNode(killed.address);             // comes back as a replica
 * await cluster.stop();
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Redis } from 'ioredis';
import { onProcessExit } from './cleanup.ts';
import { freePort } from './ports.ts';
import { which } from './which.ts';

/** Why cluster mode cannot run here. */
export type RedisClusterUnavailableReason =
  | 'no-redis-server'
  | 'no-redis-cli'
  | 'cluster-mode-refused'
  | 'cluster-create-failed';

export interface RedisClusterUnavailable {
  available: false;
  reason: RedisClusterUnavailableReason;
  /** One line for a skip message, e.g. "redis-cli not found (apt-get install redis-tools)". */
  detail: string;
}

export interface RedisClusterStarted {
  available: true;
  cluster: RedisCluster;
}

export type RedisClusterStart = RedisClusterStarted | RedisClusterUnavailable;

/** One node as the cluster sees it now (from `CLUSTER NODES`). */
export interface ClusterNodeInfo {
  id: string;
  /** `127.0.0.1:<port>` */
  address: string;
  role: 'master' | 'replica';
  /** Node id of the master this replica follows (null for masters). */
  masterId: string | null;
  /** The node is flagged `fail`/`fail?` or its link is down. */
  failing: boolean;
  /** Slot ranges served (masters), e.g. [[0, 5460]]. */
  slots: Array<[number, number]>;
}

/** What `killMaster*` returns: the node that was killed and the replica expected to take over. */
export interface KilledMaster {
  address: string;
  id: string;
  /** A slot it served (the one asked for). */
  slot: number;
  /** Addresses of its replicas when it was killed. */
  replicas: string[];
}

export interface RedisCluster {
  /** Every node started, `127.0.0.1:<port>` (pass these as `clusterNodes`). */
  readonly nodes: readonly string[];
  /** The temporary directory of the nodes (removed by stop()). */
  readonly directory: string;
  /** The cluster's view of its nodes, asked of a live node. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The hash slot of a key (`CLUSTER KEYSLOT`; `{tag}` rules apply). */
  slotOf(key: string): Promise<number>;
  /** The node serving `slot` as master now. */
  masterOf(slot: number): Promise<ClusterNodeInfo>;
  /** SIGKILLs the master serving the key's slot (a string) or the slot (a number). */
  killMasterOf(keyOrSlot: string | number): Promise<KilledMaster>;
  /** SIGKILLs one node by address. */
  killNode(address: string): Promise<void>;
  /**
   * Waits until a replica of the killed master serves its slot as master and every live node reports
   * `cluster_state:ok`. Returns the promoted node.
   */
  waitForFailover(killed: KilledMaster, timeoutMs?: number): Promise<ClusterNodeInfo>;
  /** Starts a killed node again on its port and directory; waits until it is back in a healthy cluster. */
  restartNode(address: string, timeoutMs?: number): Promise<void>;
  /** Waits until every live node reports `cluster_state:ok` and every master has a linked replica. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Masters (default 3); each gets `replicas` replicas. */
  masters?: number;
  /** Replicas per master (default 1). */
  replicas?: number;
  /** `cluster-node-timeout` in ms (default 1000). */
  nodeTimeoutMs?: number;
  /** How long to wait for the cluster to become healthy (default 30 s). */
  readyTimeoutMs?: number;
  /** Where to look for `redis-server` and `redis-cli`: this environment's PATH (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const HOST = '127.0.0.1';
const POLL_MS = 50;

/**
 * Starts a cluster, or says why this machine cannot. See the module comment.
 * Throws only when a cluster was created but does not become healthy in time.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterStart> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const searchPath = (options.env ?? process.env).PATH;
  const server = which('redis-server', [], searchPath);
  if (!server) {
    return unavailable('no-redis-server', 'redis-server not found (apt-get install redis-server)');
  }
  const cli = which('redis-cli', [], searchPath);
  if (!cli) return unavailable('no-redis-cli', 'redis-cli not found (apt-get install redis-tools)');

  const directory = mkdtempSync(join(tmpdir(), 'local-redis-cluster-'));
  const children = new Map<string, ChildProcess>();
  const ports: number[] = [];
  const killAll = () => {
    for (const child of children.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  };
  const removeExitHook = onProcessExit(() => {
    killAll();
    rmSync(directory, { recursive: true, force: true });
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    removeExitHook();
    await Promise.all([...children.values()].map((child) => killAndWait(child)));
    rmSync(directory, { recursive: true, force: true });
  };

  const spawnNode = async (port: number): Promise<ChildProcess> => {
    const nodeDir = join(directory, String(port));
    mkdirSync(nodeDir, { recursive: true });
    const output: string[] = [];
    const child = spawn(
      server,
      [
        '--port',
        String(port),
        '--bind',
        HOST,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        '--cluster-replica-validity-factor',
        '0',
        '--dir',
        nodeDir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    children.set(`${HOST}:${port}`, child);
    await waitForNode(port, child, output, 10_000);
    return child;
  };

  try {
    // A port can still be taken between the probe and redis-server's bind: start again on fresh ports then.
    for (let attempt = 1; ; attempt++) {
      for (let i = 0; i < masters * (1 + replicas); i++) ports.push(await uniqueClusterPort(ports));
      try {
        await Promise.all(ports.map((port) => spawnNode(port)));
        break;
      } catch (error) {
        const portRace = error instanceof NodeRefusedError && /Address already in use/.test(error.message);
        if (portRace && attempt < 3) {
          await Promise.all([...children.values()].map((child) => killAndWait(child)));
          children.clear();
          ports.length = 0;
          continue;
        }
        await stop();
        if (error instanceof NodeRefusedError) return unavailable('cluster-mode-refused', error.message);
        throw error;
      }
    }
    const nodes = ports.map((port) => `${HOST}:${port}`);
    const created = await runCli(cli, [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    if (created.code !== 0) {
      await stop();
      const last = stripVTControlCharacters(created.output)
        .trim()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-2)
        .join(' / ');
      return unavailable(
        'cluster-create-failed',
        `redis-cli --cluster create failed (exit ${created.code}): ${last}`,
      );
    }

    const cluster: RedisCluster = {
      nodes,
      directory,
      topology: () => topologyOf(liveNodes()),
      async slotOf(key) {
        return Number(await onAnyNode(liveNodes(), (redis) => redis.call('CLUSTER', 'KEYSLOT', key)));
      },
      async masterOf(slot) {
        const master = (await cluster.topology()).find(
          (node) => node.role === 'master' && !node.failing && servesSlot(node, slot),
        );
        if (!master) throw new Error(`no live master serves slot ${slot}`);
        return master;
      },
      async killMasterOf(keyOrSlot) {
        const slot = typeof keyOrSlot === 'number' ? keyOrSlot : await cluster.slotOf(keyOrSlot);
        const topology = await cluster.topology();
        const master = topology.find((node) => node.role === 'master' && servesSlot(node, slot));
        if (!master) throw new Error(`no master serves slot ${slot}`);
        const followers = topology.filter((node) => node.masterId === master.id).map((node) => node.address);
        await cluster.killNode(master.address);
        return { address: master.address, id: master.id, slot, replicas: followers };
      },
      async killNode(address) {
        const child = children.get(address);
        if (!child) throw new Error(`${address} is not a node of this cluster`);
        await killAndWait(child);
      },
      async waitForFailover(killed, timeoutMs = 30_000) {
        let promoted: ClusterNodeInfo | undefined;
        await pollUntil(
          async () => {
            const topology = await topologyOf(liveNodes());
            promoted = topology.find(
              (node) =>
                node.role === 'master' &&
                !node.failing &&
                servesSlot(node, killed.slot) &&
                killed.replicas.includes(node.address),
            );
            return promoted !== undefined && (await allOk(liveNodes()));
          },
          timeoutMs,
          `a replica of ${killed.address} to take over slot ${killed.slot}`,
        );
        return promoted!;
      },
      async restartNode(address, timeoutMs = 30_000) {
        const child = children.get(address);
        if (!child) throw new Error(`${address} is not a node of this cluster`);
        if (child.exitCode === null && child.signalCode === null) {
          throw new Error(`${address} is still running`);
        }
        await spawnNode(Number(address.split(':')[1]));
        await pollUntil(
          async () => {
            const live = liveNodes();
            const topology = await topologyOf(live);
            const self = topology.find((node) => node.address === address);
            if (self === undefined || self.failing || !(await allOk(live))) return false;
            // A former master comes back as a replica of the node that took over: wait for its link.
            return self.role === 'master' || (await replicasLinked([self], live)) === 1;
          },
          timeoutMs,
          `${address} to rejoin the cluster`,
        );
      },
      async waitUntilHealthy(timeoutMs = readyTimeoutMs) {
        await pollUntil(
          async () => {
            const live = liveNodes();
            if (!(await allOk(live))) return false;
            const topology = await topologyOf(live);
            const masterNodes = topology.filter((node) => node.role === 'master' && node.slots.length > 0);
            if (masterNodes.some((node) => node.failing)) return false;
            if (masterNodes.length !== masters) return false;
            return (await replicasLinked(topology, live)) >= masters * Math.min(1, replicas);
          },
          timeoutMs,
          'the cluster to report cluster_state:ok on every node with its replicas attached',
        );
      },
      stop,
    };
    function liveNodes(): string[] {
      return [...children.entries()]
        .filter(([, child]) => child.exitCode === null && child.signalCode === null)
        .map(([address]) => address);
    }
    await cluster.waitUntilHealthy();
    return { available: true, cluster };
  } catch (error) {
    await stop();
    throw error;
  }
}

function unavailable(reason: RedisClusterUnavailableReason, detail: string): RedisClusterUnavailable {
  return { available: false, reason, detail };
}

/** A node that exited at start (e.g. a build or configuration that refuses cluster mode). */
class NodeRefusedError extends Error {
  override readonly name = 'NodeRefusedError';
}

/**
 * A free loopback port for a cluster node whose bus port (port + 10000) is free too, colliding with no
 * other node's. The bus port is probed by binding it: a port picked without that check made redis-server
 * exit with "Address already in use" and the suites skip as if cluster mode were refused.
 */
export async function uniqueClusterPort(
  taken: readonly number[],
  pick: () => Promise<number> = freePort,
): Promise<number> {
  for (;;) {
    const port = await pick();
    if (port + 10_000 > 65_535) continue;
    if (taken.some((other) => other === port || other + 10_000 === port || other === port + 10_000)) {
      continue;
    }
    if (!(await canBind(port + 10_000))) continue;
    return port;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function waitForNode(
  port: number,
  child: ChildProcess,
  output: string[],
  timeoutMs: number,
): Promise<void> {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited || child.exitCode !== null) {
      const said = output.join('').trim().split('\n').slice(-2).join(' / ');
      throw new NodeRefusedError(
        `redis-server --cluster-enabled yes exited at start: ${said || 'no output'}`,
      );
    }
    const ok = await withNode(`${HOST}:${port}`, (redis) => redis.ping()).then(
      () => true,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer in ${timeoutMs} ms`);
    await delay(20);
  }
}

function runCli(cli: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Runs `fn` on a short-lived standalone connection to one node (no retries, no offline queue). */
async function withNode<T>(address: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const [host, port] = address.split(':');
  const redis = new Redis({
    host,
    port: Number(port),
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {
    // Reported through the command's rejection.
  });
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function onAnyNode<T>(addresses: readonly string[], fn: (redis: Redis) => Promise<T>): Promise<T> {
  let last: unknown;
  for (const address of addresses) {
    try {
      return await withNode(address, fn);
    } catch (error) {
      last = error;
    }
  }
  throw new Error('no node of the cluster answers', { cause: last });
}

async function topologyOf(addresses: readonly string[]): Promise<ClusterNodeInfo[]> {
  const text = String(await onAnyNode(addresses, (redis) => redis.call('CLUSTER', 'NODES')));
  return parseClusterNodes(text);
}

/** Parses `CLUSTER NODES` output. Exported for tests. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const nodes: ClusterNodeInfo[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 8) continue;
    const [id, endpoint, flagText, master, , , , link, ...slotParts] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    const flags = flagText.split(',');
    const slots: Array<[number, number]> = [];
    for (const part of slotParts) {
      if (part.startsWith('[')) continue; // a slot being migrated
      const [from, to] = part.split('-');
      slots.push([Number(from), Number(to ?? from)]);
    }
    nodes.push({
      id,
      address: endpoint.split('@')[0]!,
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: master === '-' ? null : master,
      failing: flags.includes('fail') || flags.includes('fail?') || link !== 'connected',
      slots,
    });
  }
  return nodes;
}

function servesSlot(node: ClusterNodeInfo, slot: number): boolean {
  return node.slots.some(([from, to]) => slot >= from && slot <= to);
}

async function allOk(addresses: readonly string[]): Promise<boolean> {
  if (addresses.length === 0) return false;
  const states = await Promise.all(
    addresses.map((address) =>
      withNode(address, (redis) => redis.call('CLUSTER', 'INFO')).then(
        (info) => /cluster_state:ok/.test(String(info)),
        () => false,
      ),
    ),
  );
  return states.every(Boolean);
}

/** Replicas whose link to their master is up (`INFO replication`). */
async function replicasLinked(
  topology: readonly ClusterNodeInfo[],
  live: readonly string[],
): Promise<number> {
  const replicas = topology.filter((node) => node.role === 'replica' && live.includes(node.address));
  const up = await Promise.all(
    replicas.map((node) =>
      withNode(node.address, (redis) => redis.info('replication')).then(
        (info) => /master_link_status:up/.test(info),
        () => false,
      ),
    ),
  );
  return up.filter(Boolean).length;
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(POLL_MS);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
