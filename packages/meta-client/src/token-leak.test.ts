import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaClient } from './client.ts';
import { createMetaClient } from './client.ts';
import { isMetaError } from './errors/meta-error.ts';
import { APP_SECRET, PROOF, TOKEN } from './test-support/client-fixture.ts';
import type { FakeGraphServer } from './test-support/fake-graph-server.ts';
import {
  HTML_ERROR_PAGE,
  hang,
  resetConnection,
  sendJson,
  sendText,
  stallBody,
  startFakeGraphServer,
} from './test-support/fake-graph-server.ts';
import { REFERENCE_ERROR_CASES, throttledUsageHeaders } from './test-support/reference-bodies.ts';
import type { MetaResponseEvent } from './transport.ts';

const SECRETS = [TOKEN, APP_SECRET, PROOF];

let server: FakeGraphServer;
let client: MetaClient;
const events: MetaResponseEvent[] = [];

beforeAll(async () => {
  server = await startFakeGraphServer();
  client = createMetaClient({
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    baseUrl: server.url,
    timeouts: { headersMs: 150, bodyMs: 150, totalMs: 2_000 },
    retry: { limit: 1 },
    sleep: async () => undefined,
    onResponse: (event) => {
      events.push(event);
    },
  });
  const echo = (status: number, extra: Record<string, unknown> = {}) => ({
    error: {
      message: `Malformed access token ${TOKEN} (appsecret_proof=${PROOF}) at /v26.0/me?access_token=${TOKEN}`,
      type: 'OAuthException',
      code: 190,
      error_user_msg: `Bearer ${TOKEN}`,
      error_data: { token: TOKEN, nested: [{ secret: APP_SECRET }] },
      fbtrace_id: 'X',
      ...extra,
    },
    status,
  });

  server.on('GET', '/act_1', (_req, res) => sendJson(res, 400, echo(400)));
  server.on('GET', '/act_2', (_req, res) =>
    sendJson(res, 400, REFERENCE_ERROR_CASES[1]?.body, throttledUsageHeaders('2')),
  );
  server.on('GET', '/act_3', hang());
  server.on('GET', '/act_4', stallBody());
  server.on('GET', '/act_5', resetConnection());
  server.on('GET', '/act_6', (_req, res) =>
    sendText(res, 502, `${HTML_ERROR_PAGE}<!-- ${TOKEN} -->`, { 'content-type': 'text/html' }),
  );
  server.on('GET', '/act_7', (_req, res) => sendText(res, 200, `{"id": "${TOKEN}"`));
  server.on('GET', '/act_8', (_req, res) => sendJson(res, 200, { name: TOKEN }));
  server.on('GET', '/act_9/campaigns', (_req, res) =>
    sendJson(res, 200, {
      data: [],
      paging: {
        next: `https://graph.facebook.com/v26.0/act_9/campaigns?access_token=${TOKEN}&after=same`,
        cursors: { after: 'same' },
      },
    }),
  );
  server.on('GET', '/debug_token', (_req, res) =>
    sendJson(res, 200, {
      data: { is_valid: false, error: { code: 190, subcode: 463, message: `Session expired for ${TOKEN}` } },
    }),
  );
  server.on('POST', '/act_10/insights', (_req, res) => sendJson(res, 200, { report_run_id: '777' }));
  server.on('GET', '/777', (_req, res) =>
    sendJson(res, 200, {
      id: '777',
      async_status: 'Job Failed',
      async_percent_completion: 0,
      error_code: -3,
      error_subcode: 1504045,
      error_message: `Report Too Large for ${TOKEN}`,
      error_user_msg: `appsecret_proof=${PROOF}`,
    }),
  );
});

afterAll(async () => {
  await client.close();
  await server.close();
});

function assertClean(label: string, value: unknown): void {
  const texts = [
    typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
    inspect(value, { depth: 20, showHidden: true, getters: true }),
  ];
  for (const text of texts) {
    for (const secret of SECRETS) {
      expect(text.includes(secret), `${label} leaks a secret: ${text.slice(0, 400)}`).toBe(false);
    }
  }
}

function assertErrorClean(label: string, error: unknown): void {
  expect(isMetaError(error), `${label} should be a MetaError`).toBe(true);
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    const e = current as Error;
    assertClean(`${label} message[${depth}]`, e.message);
    assertClean(`${label} stack[${depth}]`, e.stack ?? '');
    assertClean(`${label} fields[${depth}]`, { ...e });
    assertClean(`${label} inspect[${depth}]`, e);
    current = e.cause;
  }
  assertClean(`${label} JSON`, JSON.stringify(error));
  assertClean(`${label} String`, String(error));
}

const SCENARIOS: Array<[string, () => Promise<unknown>]> = [
  ['token error echoing the token', () => client.getAdAccount('1')],
  ['throttle with usage headers', () => client.getAdAccount('2')],
  ['headers timeout', () => client.getAdAccount('3')],
  ['body timeout', () => client.getAdAccount('4')],
  ['connection reset', () => client.getAdAccount('5')],
  ['HTML error page containing the token', () => client.getAdAccount('6')],
  ['broken JSON containing the token', () => client.getAdAccount('7')],
  ['unexpected shape containing the token', () => client.getAdAccount('8')],
  ['paging loop on next URLs carrying the token', () => client.listCampaigns('9')],
  ['debug_token is_valid:false echoing the token', () => client.debugToken()],
  [
    'async report run failed echoing the token',
    async () => {
      const { data } = await client.createReportRun('10', {
        fields: ['spend'],
        time_range: { since: '2026-07-01', until: '2026-07-01' },
        time_increment: 1,
      });
      await client.checkReportRun(data.reportRunId, { adAccountId: '10' });
    },
  ],
  ['unknown route', () => client.request({ method: 'GET', path: 'nowhere' })],
  [
    'refused connection',
    async () => {
      const dead = await startFakeGraphServer();
      await dead.close();
      const other = createMetaClient({
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        baseUrl: dead.url,
        retry: { limit: 0 },
      });
      try {
        await other.getAdAccount('1');
      } finally {
        await other.close();
      }
    },
  ],
  [
    'invalid client options',
    async () => {
      createMetaClient({ accessToken: `${TOKEN} with space`, appSecret: APP_SECRET });
    },
  ],
];

describe('the token never leaks', () => {
  it.each(SCENARIOS)('%s', async (label, run) => {
    let thrown: unknown;
    try {
      await run();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `${label} should throw`).toBeDefined();
    assertErrorClean(label, thrown);
  });

  it('no onResponse event carries a secret', () => {
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) assertClean(`event ${event.path}`, event);
  });

  it('no request URL carried the token, except debug_token input_token', () => {
    for (const req of server.requests) {
      const url = new URL(req.url, 'http://x');
      url.searchParams.delete('input_token');
      expect(url.toString()).not.toContain(TOKEN);
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });
});
