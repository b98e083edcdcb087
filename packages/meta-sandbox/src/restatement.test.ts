/**
 * Restatement (issue 13): an admin action changes past days' numbers after the fact,
 * deterministically; re-reading a restated day or period returns the new numbers at every level,
 * in sync and async reads, and period-level reach and frequency move with them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, range, rowsOf } from './testing.ts';

const [ACCOUNT, OTHER] = DEFAULT_ACCOUNT_IDS;
const options = {
  seed: 'restate',
  startTime: '2026-11-24T10:00:00Z',
  publicUrl: 'https://graph.sandbox.test',
};
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox(options);
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset({ restatements: true });
});

type Row = Record<string, unknown>;
type Action = { action_type: string; value: string };
const FIELDS =
  'fields=campaign_id,spend,impressions,clicks,inline_link_clicks,reach,frequency,actions,action_values,conversions&limit=5000';

async function rows(path: string, target: Sandbox = sandbox): Promise<Row[]> {
  const result = await call(target.url, path);
  expect(result.status, result.text).toBe(200);
  return rowsOf(result);
}

const insights = (query: string, account = ACCOUNT) => `/v26.0/act_${account}/insights?${query}&${FIELDS}`;
const day = (date: string, level = 'campaign') => insights(`level=${level}&time_range=${range(date, date)}`);
const cents = (value: unknown) => Math.round(Number(value) * 100);
const action = (row: Row | undefined, type: string, key = 'actions') =>
  Number(((row?.[key] as Action[] | undefined) ?? []).find((a) => a.action_type === type)?.value ?? 0);

async function admin(path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('restating a past day', () => {
  it('POST /__sandbox/restate multiplies that day at every level; other days and accounts stay', async () => {
    const before = await rows(day('2026-11-10'));
    const beforeAccount = (await rows(day('2026-11-10', 'account')))[0];
    const neighbour = await call(sandbox.url, day('2026-11-11'));
    const otherAccount = await call(
      sandbox.url,
      day('2026-11-10', 'account').replace(ACCOUNT as string, OTHER as string),
    );

    const created = await admin('/restate', { accountId: `act_${ACCOUNT}`, since: '2026-11-10', factor: 2 });
    expect(created.status).toBe(201);
    expect(created.body.restatement).toMatchObject({
      id: 1,
      accountId: ACCOUNT,
      since: '2026-11-10',
      until: '2026-11-10',
      factors: { spend: 2, impressions: 2, reach: 2, clicks: 2, conversions: 2 },
      seedOffset: null,
    });

    const after = await rows(day('2026-11-10'));
    expect(after.map((r) => r.campaign_id)).toEqual(before.map((r) => r.campaign_id));
    for (const [index, row] of after.entries()) {
      const old = before[index] as Row;
      expect(Number(row.impressions)).toBe(2 * Number(old.impressions));
      expect(Number(row.clicks)).toBe(2 * Number(old.clicks));
      expect(cents(row.spend)).toBe(2 * cents(old.spend));
      expect(action(row, 'link_click')).toBe(2 * action(old, 'link_click'));
      expect(action(row, 'omni_purchase', 'conversions')).toBe(
        2 * action(old, 'omni_purchase', 'conversions'),
      );
      expect(Number(row.frequency)).toBeCloseTo(Number(row.impressions) / Number(row.reach), 5);
    }
    const afterAccount = (await rows(day('2026-11-10', 'account')))[0];
    expect(Number(afterAccount?.impressions)).toBe(2 * Number(beforeAccount?.impressions));
    expect(Number(afterAccount?.reach)).toBeGreaterThan(Number(beforeAccount?.reach));
    expect((await call(sandbox.url, day('2026-11-11'))).text).toBe(neighbour.text);
    expect(
      (await call(sandbox.url, day('2026-11-10', 'account').replace(ACCOUNT as string, OTHER as string)))
        .text,
    ).toBe(otherAccount.text);
    expect((await admin('/restate')).body.restatements).toHaveLength(1);
  });

  it('period totals, reach and frequency move consistently; a period without the day does not move', async () => {
    const month = insights(`time_range=${range('2026-11-01', '2026-11-20')}`);
    const daily = insights(`time_range=${range('2026-11-01', '2026-11-20')}&time_increment=1`);
    const october = await call(sandbox.url, insights(`time_range=${range('2026-10-01', '2026-10-31')}`));
    const [before] = await rows(month);
    const beforeDays = await rows(daily);

    sandbox.restate({
      accountId: ACCOUNT as string,
      since: '2026-11-05',
      until: '2026-11-07',
      factors: { impressions: 3, reach: 3 },
    });

    const [after] = await rows(month);
    const afterDays = await rows(daily);
    const sum = (list: Row[], key: string) => list.reduce((a, r) => a + Number(r[key]), 0);
    expect(Number(after?.impressions)).toBe(sum(afterDays, 'impressions'));
    expect(Number(after?.impressions)).toBeGreaterThan(Number(before?.impressions));
    expect(after?.spend).toBe(before?.spend); // only impressions and reach were restated
    expect(Number(after?.reach)).toBeGreaterThan(Number(before?.reach));
    expect(Number(after?.reach)).toBeLessThanOrEqual(sum(afterDays, 'reach'));
    expect(Number(after?.reach)).toBeGreaterThanOrEqual(Math.max(...afterDays.map((d) => Number(d.reach))));
    expect(Number(after?.frequency)).toBeCloseTo(Number(after?.impressions) / Number(after?.reach), 5);
    const changed = afterDays
      .filter((d, i) => d.impressions !== beforeDays[i]?.impressions)
      .map((d) => d.date_start);
    expect(changed).toEqual(['2026-11-05', '2026-11-06', '2026-11-07']);
    expect(
      (
        await call(
          sandbox.url,
          insights(`time_range=${range('2026-10-01', '2026-11-20')}&time_increment=monthly`),
        )
      ).status,
    ).toBe(200);
    expect((await call(sandbox.url, insights(`time_range=${range('2026-10-01', '2026-10-31')}`))).text).toBe(
      october.text,
    );
  });

  it('a seed offset re-draws the day deterministically; campaignIds limit it; async reads and amount_spent see it', async () => {
    const campaigns = rowsOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}/campaigns?fields=id&limit=100`));
    const target = campaigns[0]?.id as string;
    const before = await rows(day('2026-11-12'));
    const spentBefore = (await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=amount_spent`)).body as Row;
    sandbox.restate({
      accountId: ACCOUNT as string,
      since: '2026-11-12',
      seedOffset: 7,
      campaignIds: [target],
    });
    const after = await rows(day('2026-11-12'));
    for (const row of after) {
      const old = before.find((r) => r.campaign_id === row.campaign_id);
      if (row.campaign_id === target) expect(row.impressions).not.toBe(old?.impressions);
      else expect(row).toEqual(old);
    }
    const spentAfter = (await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=amount_spent`)).body as Row;
    expect(spentAfter.amount_spent).not.toBe(spentBefore.amount_spent);

    // The same restatement on another sandbox with the same seed gives the same bytes.
    const twin = await startSandbox(options);
    try {
      twin.restate({
        accountId: ACCOUNT as string,
        since: '2026-11-12',
        seedOffset: 7,
        campaignIds: [target],
      });
      expect((await call(twin.url, day('2026-11-12'))).text).toBe(
        (await call(sandbox.url, day('2026-11-12'))).text,
      );
    } finally {
      await twin.close();
    }

    // A report run created afterwards has the restated numbers.
    const created = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: {
        level: 'campaign',
        time_range: JSON.stringify({ since: '2026-11-12', until: '2026-11-12' }),
        fields: 'campaign_id,impressions',
      },
    });
    const id = (created.body as { report_run_id: string }).report_run_id;
    sandbox.advanceTime(3_600_000);
    const asyncRows = await rows(`/v26.0/${id}/insights`);
    expect(asyncRows.find((r) => r.campaign_id === target)?.impressions).toBe(
      after.find((r) => r.campaign_id === target)?.impressions,
    );

    // Undone with reset({restatements: true}).
    sandbox.reset({ restatements: true });
    expect(await rows(day('2026-11-12'))).toEqual(before);
  });

  it('refuses bad restatements with a message naming the problem', async () => {
    const cases: Array<[unknown, string]> = [
      [{ accountId: ACCOUNT, since: '2026-11-10' }, 'factor, factors or seedOffset'],
      [{ accountId: '42', since: '2026-11-10', factor: 2 }, 'unknown account 42'],
      [{ accountId: ACCOUNT, since: '2026-11-30', factor: 2 }, "after the account's today (2026-11-24)"],
      [{ accountId: ACCOUNT, since: '2026-11-10', until: '2026-11-01', factor: 2 }, 'is after until'],
      [{ accountId: ACCOUNT, since: '2026-13-01', factor: 2 }, 'not a calendar date'],
      [{ accountId: ACCOUNT, since: '2026-11-10', factor: -1 }, 'factor'],
      [
        { accountId: ACCOUNT, since: '2026-11-10', factor: 2, campaignIds: ['1'] },
        'do not belong to account',
      ],
    ];
    for (const [body, message] of cases) {
      const result = await admin('/restate', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(result.body)).toContain(message);
    }
    expect((await admin('/restate')).body.restatements).toEqual([]);
  });
});
