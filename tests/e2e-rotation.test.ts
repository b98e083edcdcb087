/**
 * The rotation flow end to end: the shared token is revoked in the sandbox mid-run, the system pauses
 * every queue without failing a job, a new token is put in the environment, the producer notices the new
 * fingerprint, resumes the queues and re-validates every client ahead of the remaining work.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_TOKEN, type DemoHandle, startDemo } from '@meta-engine/demo';
import {
  loadConfig as loadProducerConfig,
  openRuntime,
  type Runtime,
  startRunInline,
  waitForRun,
} from '@meta-engine/producer';
import { CLIENT_TASKS } from '@meta-engine/queue';
import { loadConfig as loadWorkerConfig, type RunningWorker, startWorker } from '@meta-engine/worker';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';

let demo: DemoHandle;
let worker2: RunningWorker | undefined;
let runtime2: Runtime | undefined;
const quiet = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WriteStream;
const logLines: string[] = [];
const logs = { write: (line: string) => logLines.push(line) };

beforeAll(async () => {
  demo = await startDemo({
    clients: 6,
    port: 0,
    queuePrefix: `{rot-${randomUUID().slice(0, 8)}}`,
    out: quiet,
    logDestination: logs,
  });
}, 120_000);

afterAll(async () => {
  await worker2?.close(2_000);
  await runtime2?.close();
  await demo?.close();
});

it('pauses on a revoked token, fails nothing, and resumes and re-validates after rotation', async () => {
  await demo.runTask('validate');
  const { runtime } = demo;
  const fanoutDeps = {
    directory: runtime.directory,
    pageSize: runtime.config.fanout.pageSize,
    fanout: runtime.fanout,
  };

  // Mid-run: the collection is under way (jobs running or parked between report polls) when Meta starts
  // answering 190.
  const collect = await startRunInline(fanoutDeps, { task: 'collect-insights' }, 'cli');
  await expect
    .poll(
      async () => {
        const counts = (await runtime.runs.progress(collect.runId))?.counts;
        return (counts?.active ?? 0) + (counts?.delayed ?? 0);
      },
      { timeout: 30_000, interval: 10 },
    )
    .toBeGreaterThan(0);
  demo.sandbox.revokeToken(DEMO_TOKEN);

  await expect
    .poll(
      async () =>
        (await runtime.pauses.states()).filter((s) => s.paused && s.reason === 'token_fatal').length,
      {
        timeout: 30_000,
        interval: 50,
      },
    )
    .toBe(CLIENT_TASKS.length);
  const paused = await runtime.runs.progress(collect.runId);
  expect(paused?.failed).toBe(0);
  expect(paused?.finished).toBe(false);
  const [tokenState] = await sqlRows(`select status from meta_token_state order by updated_at desc limit 1`);
  expect(tokenState?.status).toBe('token_fatal');

  // Rotation: a new token exists at Meta and goes into the environment of worker and producer.
  const { value: newToken } = demo.sandbox.rotateToken({ replaces: DEMO_TOKEN, label: 'rotated' });
  await demo.worker.close(5_000);
  const env = { ...demo.env, META_ACCESS_TOKEN: newToken };
  worker2 = await startWorker(loadWorkerConfig(env), { logDestination: logs });
  runtime2 = await openRuntime(loadProducerConfig(env, { token: true }));
  const rotation = await runtime2.rotate({ force: false });
  expect(rotation.status).toBe('rotated');
  if (rotation.status !== 'rotated') return;
  expect(rotation.resumedQueues.length).toBeGreaterThan(0);

  const revalidation = await waitForRun(runtime2, rotation.runId, { out: quiet, intervalMs: 100 });
  expect(revalidation.total).toBe(demo.clients.length);
  expect(revalidation.failed).toBeLessThanOrEqual(1); // the unassigned account is still unreadable
  const rest = await waitForRun(runtime2, collect.runId, { out: quiet, intervalMs: 100 });
  expect(rest.failed).toBe(0);
  expect(rest.done).toBe(rest.total);

  // Everyone was validated again, with the new token's fingerprint.
  const rows = await sqlRows(`select client_id, count(distinct token_fingerprint)::int as prints
    from meta_ad_account_validations group by client_id`);
  expect(rows).toHaveLength(demo.clients.length);
  expect(rows.every((row) => row.prints === 2)).toBe(true);
  expect(logLines.join('')).not.toContain(newToken);
  expect(logLines.join('')).not.toContain(DEMO_TOKEN);
});

async function sqlRows(query: string): Promise<Record<string, unknown>[]> {
  const sql = postgres(demo.stack.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(query);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
