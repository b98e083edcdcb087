/**
 * Acceptance (issue 6): the worker as a process (`node apps/worker/src/main.ts`).
 *
 * - SIGKILL mid-run: a second worker process recovers the killed one's jobs (stalled-job recovery after
 *   the lock lapses); every job completes and every row exists exactly once.
 * - SIGTERM mid-run: the worker stops taking jobs, finishes the ones in flight, exits 0; no job is lost
 *   (each is completed or still queued), and a second worker finishes the rest.
 *
 * Each client has its own ad account, so "exactly once" is checked per client against what the sandbox
 * holds for the client's range.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createMetaClient, type MetaClient } from '@meta-engine/meta-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectInsightsRequest } from '../apps/worker/src/transform/index.ts';
import { startWorkerHarness, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JOBS = 16;
const SINCE = '2026-05-01';
const UNTIL = '2026-05-07';
const accountId = (n: number) => String(1_000_000_000_000_001 + n);

/** The JSON log records of a process's output (other lines, e.g. from libraries on stderr, skipped). */
function logRecords(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

describe('worker process: SIGKILL and SIGTERM', () => {
  let h: WorkerHarness;
  let direct: MetaClient;
  const children: ChildProcess[] = [];
  /** Every output line of every worker process (checked for the token after each test). */
  const allLines: string[] = [];

  const startProcess = (env: Record<string, string> = {}): WorkerProcess => {
    const child = spawn(process.execPath, ['apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: h.workerEnv({
        META_ACCESS_TIER: 'standard',
        ACCOUNT_CONCURRENCY: '0',
        CONCURRENCY_COLLECT_INSIGHTS: '4',
        WORKER_LOCK_DURATION_MS: '1500',
        WORKER_STALLED_INTERVAL_MS: '500',
        SHUTDOWN_TIMEOUT_MS: '15000',
        META_RETRY_LIMIT: '0',
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    let buffer = '';
    const collect = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      allLines.push(...parts.filter(Boolean));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, lines, exited };
  };

  const enqueue = async (from: number, runId: string, count = JOBS) => {
    const clients: Array<{ clientId: string; adAccountId: string; jobId: string }> = [];
    for (let i = from; i < from + count; i++) {
      const adAccountId = accountId(i);
      const clientId = await h.seedClient({ adAccountId });
      const job = await h.addJob('collect-insights', {
        clientId,
        adAccountId,
        since: SINCE,
        until: UNTIL,
        runId,
      });
      clients.push({ clientId, adAccountId, jobId: job.id! });
    }
    return clients;
  };

  const counts = async () => {
    const raw = await h.queues['collect-insights'].getJobCounts(
      'completed',
      'failed',
      'active',
      'waiting',
      'delayed',
    );
    return {
      completed: raw.completed ?? 0,
      failed: raw.failed ?? 0,
      active: raw.active ?? 0,
      waiting: raw.waiting ?? 0,
      delayed: raw.delayed ?? 0,
    };
  };

  const expectRowsExactlyOnce = async (clients: Array<{ clientId: string; adAccountId: string }>) => {
    expect(allLines.length).toBeGreaterThan(0);
    expect(allLines.some((line) => line.includes(h.token))).toBe(false);
    for (const { clientId, adAccountId } of clients) {
      const { data } = await direct.getInsights(
        adAccountId,
        buildCollectInsightsRequest({ since: SINCE, until: UNTIL }).params,
      );
      const [raw] = await h.sql<{ n: number; keys: number }[]>`
        select count(*)::int as n, count(distinct (campaign_id, date))::int as keys
        from meta_campaign_insights where client_id = ${clientId}`;
      const [kpi] = await h.sql<
        { n: number }[]
      >`select count(*)::int as n from daily_kpi_data where client_id = ${clientId}`;
      expect(raw).toEqual({ n: data.length, keys: data.length });
      expect(kpi?.n).toBe(new Set(data.map((row) => row.date_start)).size);
    }
  };

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        startTime: '2026-05-20T09:00:00Z',
        accounts: 2 * JOBS + 8,
        accountDefaults: { tier: 'standard', campaigns: 3 },
        latencyMs: 120,
      },
    });
    direct = createMetaClient({ accessToken: h.token, baseUrl: h.sandbox.url });
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await direct?.close();
    await h?.close();
  });

  it('SIGKILL mid-run: a second worker finishes every job and every row exists exactly once', async () => {
    const clients = await enqueue(0, 'kill');
    const first = startProcess();
    await waitUntil(
      async () => {
        const c = await counts();
        return c.completed >= 3 && c.active >= 1;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'the first worker to be mid-run' },
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const afterKill = await counts();
    expect(afterKill.completed).toBeLessThan(JOBS);
    expect(afterKill.active).toBeGreaterThanOrEqual(1); // locked by a dead worker

    const second = startProcess();
    await h.waitForJobs(
      'collect-insights',
      clients.map((c) => c.jobId),
      { states: ['completed'], timeoutMs: 60_000 },
    );
    expect(await counts()).toMatchObject({ completed: JOBS, failed: 0, active: 0 });
    expect(second.lines.some((line) => line.includes('stalled job returned to the queue'))).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await expectRowsExactlyOnce(clients);
  });

  it('SIGTERM mid-run: in-flight jobs finish, nothing is lost, exit code 0', async () => {
    const before = await counts();
    const clients = await enqueue(JOBS, 'term');
    const first = startProcess();
    await waitUntil(
      async () => {
        const c = await counts();
        return c.completed - before.completed >= 3 && c.active >= 1;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'the worker to be mid-run' },
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stopped = logRecords(first.lines).find((l) => l.msg === 'worker stopped');
    expect(stopped).toMatchObject({ drained: true, abandoned: 0 });

    const afterTerm = await counts();
    expect(afterTerm.active).toBe(0);
    expect(afterTerm.failed).toBe(0);
    const done = afterTerm.completed - before.completed;
    expect(done).toBeLessThan(JOBS);
    // Not lost: every job is either completed or still queued.
    expect(done + afterTerm.waiting + afterTerm.delayed).toBe(JOBS);

    const second = startProcess();
    await h.waitForJobs(
      'collect-insights',
      clients.map((c) => c.jobId),
      { states: ['completed'], timeoutMs: 60_000 },
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await counts()).toMatchObject({ failed: 0, active: 0 });
    await expectRowsExactlyOnce(clients);
  });

  it('SIGTERM with jobs slower than the shutdown bound: force-closed, exit 0, the jobs are recovered', async () => {
    const before = await counts();
    const clients = await enqueue(2 * JOBS, 'slow', 8);
    h.sandbox.updateConfig({ latencyMs: 4_000 });
    const requestsBefore = h.sandbox.counters().app.requests;
    const first = startProcess({ SHUTDOWN_TIMEOUT_MS: '200' });
    // In flight: a job is waiting for Meta's (slow) answer.
    await waitUntil(() => h.sandbox.counters().app.requests > requestsBefore, {
      timeoutMs: 30_000,
      intervalMs: 10,
      what: 'a Meta call in flight',
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stopped = logRecords(first.lines).find((l) => l.msg === 'worker stopped');
    expect(first.lines.filter((line) => !line.startsWith('{'))).toEqual([]);
    expect(stopped).toMatchObject({ drained: false });
    expect(Number(stopped?.abandoned ?? 0)).toBeGreaterThanOrEqual(1);
    expect((await counts()).completed).toBe(before.completed);

    h.sandbox.updateConfig({ latencyMs: 120 });
    const second = startProcess();
    await h.waitForJobs(
      'collect-insights',
      clients.map((c) => c.jobId),
      { states: ['completed'], timeoutMs: 60_000 },
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await counts()).toMatchObject({ failed: 0, active: 0 });
    await expectRowsExactlyOnce(clients);
  });
});
