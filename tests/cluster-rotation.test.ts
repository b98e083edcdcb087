/**
 * The rotation flow on a real Redis Cluster (three masters, one replica each): two producer services and
 * two workers, none restarted. A cache refresh is running when Meta revokes the token; every queue pauses.
 * The new token reaches the token file of the producers and of the first worker; the second worker reads
 * its own copy (another machine's secret volume, not updated yet).
 *
 * - the new fingerprint is announced through the cluster (key + pub/sub), one of the two producers
 *   re-validates everyone (once) and lifts the pause;
 * - the first worker switches; the second is behind: it says so and holds its queues (processes nothing)
 *   while the first does the work; when its copy is updated it catches up and works again;
 * - the refresh completes, no job fails, neither token appears in any log.
 * Skips (saying why) only where cluster mode cannot run.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisCluster } from '@meta-engine/local-stack';
import { shortFingerprint } from '@meta-engine/meta-client';
import { waitForRun } from '@meta-engine/producer';
import { CLIENT_TASKS, controlKeyPrefixFor, getPauseState, readTokenAnnouncement } from '@meta-engine/queue';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadWorkerConfig, type RunningWorker, startWorker } from '../apps/worker/src/index.ts';
import { startSuiteCluster } from './support/cluster.ts';
import {
  LineLog,
  type RotationProducer,
  replaceTokenFile,
  startRotationProducer,
} from './support/rotation.ts';
import { startWorkerHarness, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const cluster: RedisCluster | undefined = await startSuiteCluster('cluster-rotation');

const CLIENTS = 12;
const accountId = (n: number) => String(1_000_000_000_000_001 + n);
const quiet = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WriteStream;
const SWITCHED = 'Meta token switched: the next calls use the new token (no restart)';
const BEHIND =
  "this worker's Meta token is behind the announced one: holding its queues until META_ACCESS_TOKEN_FILE holds the new token";
const CAUGHT_UP = 'Meta token caught up with the announced one: queues released';

describe.skipIf(!cluster)('token rotation on a Redis Cluster, without restarts', () => {
  let h: WorkerHarness;
  let dir: string;
  let sharedFile: string;
  let ownFile: string;
  const producers: RotationProducer[] = [];
  const producerLogs = [new LineLog(), new LineLog()];
  const workerLogs = [new LineLog(), new LineLog()];
  const workers: RunningWorker[] = [];

  const completedBy = (worker: RunningWorker) =>
    worker.metrics.jobs
      .get()
      .then((m) =>
        m.values.filter((v) => v.labels.outcome === 'completed').reduce((sum, v) => sum + v.value, 0),
      );

  beforeAll(async () => {
    h = await startWorkerHarness({
      redisClusterNodes: [...cluster!.nodes],
      sandbox: {
        startTime: '2026-05-20T09:00:00Z',
        accounts: CLIENTS,
        accountDefaults: { tier: 'standard', campaigns: 2 },
        latencyMs: 40,
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'cluster-rotation-'));
    sharedFile = join(dir, 'shared-token');
    ownFile = join(dir, 'second-machine-token');
    writeFileSync(sharedFile, `${h.token}\n`);
    writeFileSync(ownFile, `${h.token}\n`);
    for (let i = 0; i < CLIENTS; i++) await h.seedClient({ adAccountId: accountId(i), apiStatus: 'valid' });
    for (const log of producerLogs) producers.push(await startRotationProducer(h, sharedFile, log));
    for (const [i, file] of [sharedFile, ownFile].entries()) {
      const env = h.workerEnv({
        META_ACCESS_TOKEN_FILE: file,
        META_ACCESS_TIER: 'standard',
        ACCOUNT_CONCURRENCY: '0',
        CONCURRENCY_VALIDATE: '2',
        CONCURRENCY_REFRESH_CACHE: '2',
        META_RETRY_LIMIT: '0',
      });
      delete env.META_ACCESS_TOKEN;
      workers.push(
        await startWorker(loadWorkerConfig(env), {
          logDestination: workerLogs[i]!.destination,
          redis: h.stack.redisTarget,
        }),
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const worker of workers) await worker.close(5_000).catch(() => {});
    for (const producer of producers) await producer.close().catch(() => {});
    await h?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('announces through the cluster, re-validates once, holds the worker that is behind until it catches up', async () => {
    const runtime = producers[0]!.runtime;
    expect(runtime.redis).toBeInstanceOf(Cluster);
    const [first, second] = workers as [RunningWorker, RunningWorker];
    const store = { redis: h.redis, keyPrefix: controlKeyPrefixFor(h.prefix) };

    const refresh = await runtime.requestRun({ task: 'refresh-cache' });
    await waitUntil(
      async () => {
        const progress = await runtime.runs.progress(refresh.runId);
        return (progress?.done ?? 0) >= 1 && (progress?.counts.active ?? 0) >= 1;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'the refresh to be mid-run' },
    );
    const { value: newToken } = h.sandbox.rotateToken({ replaces: h.token, label: 'rotated' });
    const newFingerprint = h.fingerprint(newToken);
    await Promise.race(
      workerLogs.map((log) =>
        log.waitFor('the shared Meta token is unusable: every queue paused until rotation'),
      ),
    );
    expect(await getPauseState(store)).toMatchObject({ reason: 'token_fatal' });

    // The new token reaches the producers' and the first worker's file; the second worker's copy lags.
    replaceTokenFile(sharedFile, newToken);
    await workerLogs[0]!.waitFor(SWITCHED, { fingerprint: shortFingerprint(newFingerprint) });
    const behind = await workerLogs[1]!.waitFor(BEHIND, { announced: shortFingerprint(newFingerprint) });
    expect(behind.own).toBe(shortFingerprint(h.fingerprint(h.token)));
    expect(second.token.isBehind()).toBe(true);
    const heldAt = await completedBy(second);

    const rotated = await Promise.race(
      producerLogs.map((log) =>
        log.waitFor('rotated to the announced token without a restart', {
          fingerprint: shortFingerprint(newFingerprint),
        }),
      ),
    );
    const rotationRunId = String(rotated.runId);
    const revalidation = await waitForRun(runtime, rotationRunId, { out: quiet, intervalMs: 50 });
    expect(revalidation).toMatchObject({ trigger: 'rotation', total: CLIENTS, done: CLIENTS, failed: 0 });
    const rest = await waitForRun(runtime, refresh.runId, { out: quiet, intervalMs: 50 });
    expect(rest).toMatchObject({ total: CLIENTS, done: CLIENTS, failed: 0 });
    // The worker that is behind took no job while it held its queues.
    expect(await completedBy(second)).toBe(heldAt);
    expect(second.token.isBehind()).toBe(true);

    // Once, for two producers: one rotation run, one validation per client, with the new fingerprint.
    for (const producer of producers) {
      await producer.service.rotations?.check();
    }
    const runs = await runtime.runs.recent(50);
    expect(runs.filter((run) => run.trigger === 'rotation').map((run) => run.runId)).toEqual([rotationRunId]);
    expect(
      producerLogs.flatMap((log) => log.find('rotated to the announced token without a restart')),
    ).toHaveLength(1);
    const validations = await h.sql<{ n: number; clients: number; fingerprints: number }[]>`
      select count(*)::int as n, count(distinct client_id)::int as clients,
             count(distinct token_fingerprint)::int as fingerprints
      from meta_ad_account_validations where run_id = ${rotationRunId}`;
    expect(validations[0]).toEqual({ n: CLIENTS, clients: CLIENTS, fingerprints: 1 });
    expect(await getPauseState(store)).toBeNull();
    expect(await readTokenAnnouncement(store)).toMatchObject({ fingerprint: newFingerprint });

    // The second machine's copy is updated: it catches up and works again.
    replaceTokenFile(ownFile, newToken);
    await workerLogs[1]!.waitFor(CAUGHT_UP, { fingerprint: shortFingerprint(newFingerprint) });
    expect(second.token.isBehind()).toBe(false);
    expect(second.token.fingerprint()).toBe(newFingerprint);
    expect(first.token.fingerprint()).toBe(newFingerprint);
    const after = await runtime.requestRun({ task: 'validate' });
    const final = await waitForRun(runtime, after.runId, { out: quiet, intervalMs: 50 });
    expect(final).toMatchObject({ total: CLIENTS, done: CLIENTS, failed: 0 });

    for (const task of CLIENT_TASKS) expect((await h.queues[task].getJobCounts('failed')).failed).toBe(0);
    const everything = [...producerLogs, ...workerLogs].flatMap((log) => log.lines).join('\n');
    expect(everything).not.toContain(h.token);
    expect(everything).not.toContain(newToken);
  }, 180_000);
});
