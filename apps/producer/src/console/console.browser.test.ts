import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@meta-engine/meta-sandbox';
import { createLimiter, limiterKeyPrefixFor } from '@meta-engine/queue';
import { loadConfig as loadWorkerConfig, type RunningWorker, startWorker } from '@meta-engine/worker';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunInline } from '../fanout/start-run.ts';
import type { Runtime } from '../runtime.ts';
import { type ProducerService, startProducerService } from '../service.ts';
import { ADMIN, ADMIN_ID, startTestStack, TEST_TOKEN, type TestStack } from '../test-support/stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url).pathname;
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

/** 25 clients as `pnpm demo` has them: hotels, one ad account each; the last three are special. */
const HOTELS = [
  'Hotel Bursztyn Kołobrzeg',
  'Apartamenty Nad Zatoką Sopot',
  'Hotel Mewa Ustka',
  'Pensjonat Pod Sosnami Zakopane',
  'Hotel Wydma Łeba',
  'Resort Biała Przystań Mielno',
  'Hotel Stary Młyn Kazimierz',
  'Villa Bałtyk Jastarnia',
  'Hotel Kormoran Międzyzdroje',
  'Dwór Nad Jeziorem Mikołajki',
  'Hotel Panorama Karpacz',
  'Spa Hotel Źródło Krynica',
  'Hotel Port Gdańsk',
  'Apartamenty Złota Plaża Dziwnów',
  'Hotel Dębowy Gaj Olsztyn',
  'Hotel Cesarski Wrocław',
  'Pensjonat Limba Szklarska Poręba',
  'Hotel Latarnia Hel',
  'Resort Zielona Dolina Wisła',
  'Hotel Kamienica Toruń',
  'Hotel Przystań Augustów',
  'Hotel Arkada Kraków',
  'Hotel Brzozowy Zakątek Ełk', // heavy: its ad account is throttled
  'Hotel Rybitwa Jurata', // disabled ad account
  'Hotel Zamkowy Malbork', // the token cannot reach its ad account
];
const ZONES = ['Europe/Warsaw', 'Europe/Warsaw', 'Europe/Warsaw', 'Europe/Berlin', 'Europe/London'];
const clients = HOTELS.map((name, index) => ({
  id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
  name,
  adAccountId: String(3_100_000_000_000_000 + index + 1),
  timezone: ZONES[index % ZONES.length]!,
}));
const heavy = clients[22]!;
const disabled = clients[23]!;
const unassigned = clients[24]!;

let t: TestStack;
let sandbox: Sandbox;
let runtime: Runtime;
let worker: RunningWorker;
let service: ProducerService;
const profiles: string[] = [];

async function browser(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'producer-console-chromium-'));
  profiles.push(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    httpCredentials: { username: ADMIN.user, password: ADMIN.password },
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  t = await startTestStack();
  sandbox = await startSandbox({
    seed: 'console-browser',
    accounts: clients.map((c) => ({
      id: c.adAccountId,
      name: c.name,
      timezone: c.timezone,
      currency: 'PLN',
      campaigns: 2,
      ...(c === disabled ? { status: 2, disableReason: 3 } : {}),
    })),
    tokens: [
      {
        value: TEST_TOKEN,
        state: 'valid',
        label: 'console test system user',
        accountIds: clients.filter((c) => c !== unassigned).map((c) => c.adAccountId),
      },
    ],
  });
  t.sql(
    `insert into public.clients (id, admin_id, name, email, ad_account_id, api_status) values ${clients
      .map(
        (c, i) =>
          `('${c.id}', '${ADMIN_ID}', '${c.name.replaceAll("'", "''")}', 'console-${i}@example.com', '${c.adAccountId}', 'valid')`,
      )
      .join(', ')};`,
  );
  const config = t.config({
    SCHEDULE_VALIDATE: 'off',
    SCHEDULE_REFRESH_CACHE: 'off',
    SCHEDULE_COLLECT_INSIGHTS: 'off',
  });
  runtime = await t.runtime(config);
  worker = await startWorker(
    loadWorkerConfig({
      REDIS_URL: t.stack.redisUrl,
      SUPABASE_URL: t.stack.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: t.stack.serviceRoleKey,
      META_ACCESS_TOKEN: TEST_TOKEN,
      META_GRAPH_URL: sandbox.url,
      TOKEN_FINGERPRINT_KEY: 'test-fingerprint-key',
      QUEUE_PREFIX: config.queuePrefix,
      WORKER_HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    }),
    { logDestination: { write: () => true } },
  );
  // The daily validation, processed by the real worker against the sandbox.
  const run = await startRunInline(
    { directory: runtime.directory, pageSize: 1000, fanout: runtime.fanout },
    { task: 'validate' },
    'cli',
  );
  await waitForRun(run.runId);
  // Meta throttled the heavy account: the limiter blocks it for an hour (as the worker records it).
  const limiter = createLimiter({ redis: runtime.redis, keyPrefix: limiterKeyPrefixFor(config.queuePrefix) });
  await limiter.recordUsage({
    scope: 'account',
    adAccountId: heavy.adAccountId,
    buc: 'ads_insights',
    throttled: true,
    blockForMs: 3_600_000,
  });
  service = await startProducerService(runtime, { port: 0, rotateOnStart: false });
});

/** Resolves when every job of the run has finished (the run store computes it from the queues). */
async function waitForRun(runId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const progress = await runtime.runs.progress(runId);
    if (progress?.finished) return;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(async () => {
  await service?.close();
  await worker?.close(2_000);
  await sandbox?.close();
  await t?.stop();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('the operator console in Chromium', () => {
  it('shows the 25 clients with the failing and throttled ones flagged', async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${service.url}/console`);
      expect(response?.status()).toBe(200);
      const rows = page.locator('#clients tbody tr');
      expect(await rows.count()).toBe(25);
      const row = (c: { id: string }) => page.locator(`tr[data-client="${c.id}"]`);
      await expect(row(unassigned).locator('.b.failing').first().textContent()).resolves.toBe('no_access');
      await expect(row(disabled).locator('.b.failing').first().textContent()).resolves.toBe(
        'account_inactive',
      );
      expect(await row(heavy).locator('.b.throttled').count()).toBe(1);
      expect(await row(heavy).textContent()).toMatch(/ads_insights blocked, lifts in \d+ min/);
      expect(await row(clients[0]!).locator('.b.failing').count()).toBe(0);
      // Attention first: the two failing clients lead the table.
      const firstTwo = await rows.evaluateAll((trs) =>
        trs.slice(0, 2).map((tr) => tr.getAttribute('data-client')),
      );
      expect(firstTwo.sort()).toEqual([disabled.id, unassigned.id].sort());
      // The token panel has the worker's debug_token result, never the token.
      const token = await page.locator('#token').textContent();
      expect(token).toContain('ok');
      expect(await page.content()).not.toContain(TEST_TOKEN);

      await page.getByRole('link', { name: 'Failing 2' }).click();
      await page.waitForURL(/filter=failing/);
      expect(await page.locator('#clients tbody tr').count()).toBe(2);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.goto(`${service.url}/console`);
      await page.screenshot({ path: join(ARTIFACTS, 'console-clients.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('re-validates a client from its page and shows the new result once the worker has processed it', async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      await page.goto(`${service.url}/console`);
      await page.locator(`tr[data-client="${disabled.id}"] a`).first().click();
      await page.waitForURL(`**/console/clients/${disabled.id}`);
      expect(await page.locator('#validations tbody tr').first().textContent()).toContain('account_inactive');
      expect(await page.locator('#state').textContent()).toContain('failing');

      // The agency settles the account at Meta; the operator re-validates without waiting for the night.
      sandbox.updateConfig({ accounts: { [disabled.adAccountId]: { status: 1 } } });
      await page.getByRole('button', { name: 'Re-validate now' }).click();
      await page.waitForURL(/notice=run-started/);
      // The page reloads itself (meta refresh) until the run is finished.
      await page.locator('#notice').getByText('finished', { exact: true }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#validations tbody tr').first().textContent()).toContain('active');
      expect(await page.locator('#validations tbody tr').first().textContent()).not.toContain(
        'account_inactive',
      );
      expect(await page.locator('#state').textContent()).not.toContain('failing');
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'console-client.png'), fullPage: true });

      // Back on the table the client is no longer flagged.
      await page.goto(`${service.url}/console`);
      expect(await page.locator(`tr[data-client="${disabled.id}"] .b.failing`).count()).toBe(0);
      expect(existsSync(join(ARTIFACTS, 'console-clients.png'))).toBe(true);
    } finally {
      await context.close();
    }
  });
});
