/**
 * Acceptance (issue 15, "rotation without restarts"): four worker processes (`node apps/worker/src/main.ts`)
 * and the producer service share one token file (META_ACCESS_TOKEN_FILE). A cache refresh of every client is
 * running when Meta (the sandbox) rotates the token: the old one is revoked, a new one is valid. The workers
 * pause every queue without failing a job. The new token is written into the file, as a secret manager
 * does, and nothing is restarted:
 *
 * - each of the four processes switches to the new token by itself (its log says so, with the new
 *   token's fingerprint; same process ids, each started once);
 * - the new fingerprint is announced through Redis and the token-fatal pause is lifted;
 * - the full re-validation runs once (one rotation run, one validation per client, with the new token's
 *   fingerprint), however many processes saw the new token;
 * - the refresh that was interrupted completes, and no job of any queue failed;
 * - no output of any process contains either token.
 *
 * Everything is awaited through events (log lines of the processes and of the producer, BullMQ states);
 * nothing sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shortFingerprint } from '@meta-engine/meta-client';
import { waitForRun } from '@meta-engine/producer';
import { CLIENT_TASKS, controlKeyPrefixFor, getPauseState, readTokenAnnouncement } from '@meta-engine/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LineLog,
  type RotationProducer,
  replaceTokenFile,
  startRotationProducer,
} from './support/rotation.ts';
import { startWorkerHarness, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKERS = 4;
const CLIENTS = 24;
const accountId = (n: number) => String(1_000_000_000_000_001 + n);
const quiet = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WriteStream;

interface WorkerProcess {
  child: ChildProcess;
  log: LineLog;
  exited: Promise<unknown>;
}

describe('token rotation across four worker processes, without a restart', () => {
  let h: WorkerHarness;
  let dir: string;
  let tokenFile: string;
  let producer: RotationProducer;
  const producerLog = new LineLog();
  const workers: WorkerProcess[] = [];
  const clientIds: string[] = [];

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        startTime: '2026-05-20T09:00:00Z',
        accounts: CLIENTS,
        accountDefaults: { tier: 'standard', campaigns: 2 },
        latencyMs: 40,
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'rotation-processes-'));
    tokenFile = join(dir, 'meta-access-token');
    writeFileSync(tokenFile, `${h.token}\n`);
    for (let i = 0; i < CLIENTS; i++) {
      clientIds.push(await h.seedClient({ adAccountId: accountId(i), apiStatus: 'valid' }));
    }
    producer = await startRotationProducer(h, tokenFile, producerLog);
    for (let i = 0; i < WORKERS; i++) {
      const env = h.workerEnv({
        META_ACCESS_TOKEN_FILE: tokenFile,
        META_ACCESS_TIER: 'standard',
        ACCOUNT_CONCURRENCY: '0',
        CONCURRENCY_VALIDATE: '3',
        CONCURRENCY_REFRESH_CACHE: '2',
        META_RETRY_LIMIT: '0',
      });
      delete env.META_ACCESS_TOKEN;
      const child = spawn(process.execPath, ['apps/worker/src/main.ts'], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log = new LineLog();
      child.stdout?.on('data', (chunk: Buffer) => log.chunk(chunk));
      child.stderr?.on('data', (chunk: Buffer) => log.chunk(chunk));
      workers.push({ child, log, exited: once(child, 'exit') });
    }
    await Promise.all(workers.map((w) => w.log.waitFor('health and metrics server listening')));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await producer?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('all four switch to the new token from the file, re-validation runs once, no job fails', async () => {
    const { runtime } = producer;
    const oldFingerprint = h.fingerprint(h.token);
    const pids = workers.map((w) => w.child.pid);

    // A refresh of every client is under way...
    const refresh = await runtime.requestRun({ task: 'refresh-cache' });
    await waitUntil(
      async () => {
        const progress = await runtime.runs.progress(refresh.runId);
        return (progress?.done ?? 0) >= 2 && (progress?.counts.active ?? 0) >= 1;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'the refresh to be mid-run' },
    );

    // ...when Meta rotates the token: the old one is revoked, a new one is valid.
    const { value: newToken } = h.sandbox.rotateToken({ replaces: h.token, label: 'rotated' });
    const newFingerprint = h.fingerprint(newToken);
    await Promise.race(
      workers.map((w) =>
        w.log.waitFor('the shared Meta token is unusable: every queue paused until rotation'),
      ),
    );
    const store = { redis: h.redis, keyPrefix: controlKeyPrefixFor(h.prefix) };
    expect(await getPauseState(store)).toMatchObject({ reason: 'token_fatal' });
    const paused = await runtime.runs.progress(refresh.runId);
    expect(paused?.failed).toBe(0);
    expect(paused?.finished).toBe(false);

    // The operator (or the secret manager) puts the new token into the file. Nothing is restarted.
    replaceTokenFile(tokenFile, newToken);

    const switched = await Promise.all(
      workers.map((w) =>
        w.log.waitFor('Meta token switched: the next calls use the new token (no restart)', {
          fingerprint: shortFingerprint(newFingerprint),
        }),
      ),
    );
    expect(switched).toHaveLength(WORKERS);
    const rotated = await producerLog.waitFor('rotated to the announced token without a restart', {
      fingerprint: shortFingerprint(newFingerprint),
    });
    const rotationRunId = String(rotated.runId);

    const revalidation = await waitForRun(runtime, rotationRunId, { out: quiet, intervalMs: 50 });
    expect(revalidation).toMatchObject({ trigger: 'rotation', total: CLIENTS, done: CLIENTS, failed: 0 });
    const rest = await waitForRun(runtime, refresh.runId, { out: quiet, intervalMs: 50 });
    expect(rest).toMatchObject({ total: CLIENTS, done: CLIENTS, failed: 0 });

    // The re-validation ran once: one rotation run, one validation per client with the new token.
    const runs = await runtime.runs.recent(50);
    expect(runs.filter((run) => run.trigger === 'rotation').map((run) => run.runId)).toEqual([rotationRunId]);
    const validations = await h.sql<{ client_id: string; n: number; fingerprint: string }[]>`
      select client_id, count(*)::int as n, min(token_fingerprint) as fingerprint
      from meta_ad_account_validations where run_id = ${rotationRunId} group by client_id`;
    expect(validations).toHaveLength(CLIENTS);
    expect(validations.every((v) => v.n === 1 && v.fingerprint === newFingerprint)).toBe(true);

    // The pause is lifted, the new fingerprint is the announced and the rotated one.
    expect(await getPauseState(store)).toBeNull();
    for (const queue of Object.values(h.queues)) expect(await queue.isPaused()).toBe(false);
    expect((await readTokenAnnouncement(store))?.fingerprint).toBe(newFingerprint);
    expect(await runtime.tokenState.lastRotatedFingerprint()).toBe(newFingerprint);
    expect(runtime.configuredFingerprint()).toBe(newFingerprint);

    // No job failed in any queue.
    for (const task of CLIENT_TASKS) expect((await h.queues[task].getJobCounts('failed')).failed).toBe(0);

    // The same four processes, each started once and still running; none is holding its queues.
    expect(workers.map((w) => w.child.pid)).toEqual(pids);
    for (const w of workers) {
      expect(w.child.exitCode).toBeNull();
      expect(w.log.find('worker started')).toHaveLength(1);
      expect(w.log.find('Meta token switched: the next calls use the new token (no restart)')).toHaveLength(
        1,
      );
      expect(
        w.log.find(
          "this worker's Meta token is behind the announced one: holding its queues until META_ACCESS_TOKEN_FILE holds the new token",
        ),
      ).toHaveLength(0);
    }
    expect(oldFingerprint).not.toBe(newFingerprint);

    // Neither token in any output.
    const everything = [...producerLog.lines, ...workers.flatMap((w) => w.log.lines)].join('\n');
    expect(everything).not.toContain(h.token);
    expect(everything).not.toContain(newToken);
  }, 120_000);
});
