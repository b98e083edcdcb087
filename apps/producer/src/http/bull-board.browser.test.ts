import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClientJob, createWorkerConnection } from '@meta-engine/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime.ts';
import { adminAppFor } from '../service.ts';
import { ADMIN, startTestStack, TEST_TOKEN, type TestStack } from '../test-support/stack.ts';
import { type RunningServer, startAdminServer } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url).pathname;
const ERROR_TEXT = 'Meta error 100/33: ad account act_4242 cannot be read with this token';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let t: TestStack;
let runtime: Runtime;
let server: RunningServer;
const profiles: string[] = [];

async function browser(credentials?: { username: string; password: string }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'producer-chromium-'));
  profiles.push(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    ...(credentials ? { httpCredentials: credentials } : {}),
  });
}

beforeAll(async () => {
  t = await startTestStack();
  const [failing, passing, queued] = t.seedClients(3, { prefix: 'Board' });
  runtime = await t.runtime();
  const validate = runtime.queues.validate;
  // One job that fails (its data carries a token-like value the board must hide), one that completes.
  const bad = buildClientJob(
    'validate',
    { clientId: failing!, adAccountId: '4242', runId: 'run-board' },
    { priority: 5 },
  );
  await validate.add(bad.name, { ...bad.data, accessToken: TEST_TOKEN }, bad.opts);
  const good = buildClientJob(
    'validate',
    { clientId: passing!, adAccountId: '4343', runId: 'run-board' },
    { priority: 5 },
  );
  await validate.add(good.name, good.data, good.opts);
  const connection = createWorkerConnection(t.stack.redisUrl);
  await new Promise<void>((resolve) => {
    let finished = 0;
    const worker = new Worker(
      'validate',
      async (job) => {
        if (job.data.clientId === failing) throw new UnrecoverableError(ERROR_TEXT);
        return { outcome: 'active' };
      },
      { connection, prefix: runtime.config.queuePrefix, concurrency: 1 },
    );
    const done = () => {
      finished += 1;
      if (finished === 2) void worker.close().then(resolve);
    };
    worker.on('failed', done);
    worker.on('completed', done);
  });
  await connection.quit();
  // And one still waiting for a worker.
  const waiting = buildClientJob(
    'validate',
    { clientId: queued!, adAccountId: '4444', runId: 'run-board' },
    { priority: 5 },
  );
  await validate.add(waiting.name, waiting.data, waiting.opts);
  server = await startAdminServer(adminAppFor(runtime), '127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close();
  await t?.stop();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('Bull Board in Chromium', () => {
  it('asks for credentials', async () => {
    const context = await browser();
    try {
      // Headless Chromium cannot answer the challenge; the request itself shows it.
      const response = await context.request.get(`${server.url}/admin/queues`);
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      await expect(context.newPage().then((page) => page.goto(`${server.url}/admin/queues`))).rejects.toThrow(
        /ERR_INVALID_AUTH_CREDENTIALS/,
      );
    } finally {
      await context.close();
    }
  });

  it('logs in, shows the queues with their counts, opens a failed job and reads its error', async () => {
    const context = await browser({ username: ADMIN.user, password: ADMIN.password });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${server.url}/admin/queues`);
      expect(response?.status()).toBe(200);

      // The overview lists every queue; validate holds 3 jobs, one of them failed.
      const validateCard = page.locator('a[href="/admin/queues/queue/validate?status=failed"]');
      await validateCard.waitFor({ timeout: 15_000 });
      const overview = await page.locator('body').textContent();
      for (const queue of ['validate', 'refresh-cache', 'collect-insights', 'fanout'])
        expect(overview).toContain(queue);
      expect(overview).toMatch(/3 Jobs/);
      expect(((await validateCard.textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(/Failed ?1/i);

      // Open the failed job: its error is on the first tab.
      await validateCard.click();
      await page.getByText(ERROR_TEXT).first().waitFor({ timeout: 15_000 });
      const jobText = await page.locator('main').textContent();
      expect(jobText).toContain(`UnrecoverableError: ${ERROR_TEXT}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'bull-board.png'), fullPage: true });

      // Its data is shown without the token.
      await page.getByRole('tab', { name: 'Data' }).click();
      await page.getByText('[redacted]').first().waitFor({ timeout: 15_000 });
      const dataText = await page.locator('main').textContent();
      expect(dataText).toContain('4242');
      expect(dataText).not.toContain(TEST_TOKEN);
      expect(existsSync(join(ARTIFACTS, 'bull-board.png'))).toBe(true);
    } finally {
      await context.close();
    }
  });
});
