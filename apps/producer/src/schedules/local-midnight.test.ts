/**
 * The local-midnight schedule (issue 15.4): the due-day rule (pure), and the tick on real Redis and
 * Postgres driven by a fake clock (each tick called with the time it was planned for): accounts in
 * Pacific/Auckland, Europe/Warsaw and America/Los_Angeles each get their collection within the configured
 * delay after their own midnight, once per local day, across Warsaw's switch to summer time.
 */
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../test-support/stack.ts';
import {
  dueLocalDate,
  isRolloverDay,
  type LocalLane,
  localLanes,
  localRunId,
  planLocalRuns,
} from './local-midnight.ts';

const MINUTE = 60_000;

describe('dueLocalDate', () => {
  it.each([
    // Auckland, NZDT (UTC+13): 2026-12-02 00:20 local is before midnight + 30 min.
    ['2026-12-01T11:20:00Z', 'Pacific/Auckland', 30, '2026-12-01'],
    ['2026-12-01T11:30:00Z', 'Pacific/Auckland', 30, '2026-12-02'],
    // Warsaw's spring-forward night: midnight of 2026-03-29 is 23:00Z the day before (still CET).
    ['2026-03-28T23:29:00Z', 'Europe/Warsaw', 30, '2026-03-28'],
    ['2026-03-28T23:30:00Z', 'Europe/Warsaw', 30, '2026-03-29'],
    // ... and the next midnight is 22:00Z (CEST).
    ['2026-03-29T22:30:00Z', 'Europe/Warsaw', 30, '2026-03-30'],
    // Los Angeles (PST, UTC-8): its midnight is 08:00Z, 9 hours after Warsaw's.
    ['2026-12-02T08:29:59Z', 'America/Los_Angeles', 30, '2026-12-01'],
    ['2026-12-02T08:30:00Z', 'America/Los_Angeles', 30, '2026-12-02'],
    ['2026-12-02T08:00:00Z', 'America/Los_Angeles', 0, '2026-12-02'],
  ])('%s in %s with %i min delay → %s', (now, zone, delay, expected) => {
    expect(dueLocalDate(new Date(now), zone, delay)).toBe(expected);
  });

  it('rollovers are Mondays and 1sts', () => {
    expect(isRolloverDay('2026-03-30')).toBe(true); // Monday
    expect(isRolloverDay('2026-04-01')).toBe(true); // Wednesday the 1st
    expect(isRolloverDay('2026-03-31')).toBe(false);
  });
});

describe('planLocalRuns', () => {
  const daily: LocalLane = { key: 'collect-insights', task: 'collect-insights', rolloverOnly: false };
  const rollover: LocalLane = { key: 'refresh-cache-rollover', task: 'refresh-cache', rolloverOnly: true };
  const options = { now: new Date('2026-03-30T06:00:00Z'), delayMinutes: 30, fallbackTimeZone: 'UTC' };

  it('runs a client once its day is later than the last one, records a first sighting without a run', () => {
    const plan = planLocalRuns(
      daily,
      [
        { id: 'a', timeZone: 'Europe/Warsaw' },
        { id: 'b', timeZone: 'Europe/Warsaw' },
        { id: 'c', timeZone: 'America/Los_Angeles' },
        { id: 'd', timeZone: null },
      ],
      new Map([
        ['a', '2026-03-29'],
        ['b', null],
        ['c', '2026-03-29'],
        ['d', '2026-03-29'],
      ]),
      options,
    );
    // Warsaw is on 2026-03-30 (08:00 local); Los Angeles still on the 29th; d falls back to UTC (the 30th).
    expect(plan.due).toEqual([
      { id: 'a', day: '2026-03-30' },
      { id: 'd', day: '2026-03-30' },
    ]);
    expect(plan.record).toEqual([{ id: 'b', day: '2026-03-30' }]);
  });

  it('a rollover lane runs on Mondays and 1sts only, and records the other days', () => {
    const clients = [{ id: 'a', timeZone: 'Europe/Warsaw' }];
    expect(planLocalRuns(rollover, clients, new Map([['a', '2026-03-29']]), options).due).toHaveLength(1);
    const tuesday = { ...options, now: new Date('2026-03-31T06:00:00Z') };
    expect(planLocalRuns(rollover, clients, new Map([['a', '2026-03-30']]), tuesday)).toEqual({
      due: [],
      record: [{ id: 'a', day: '2026-03-31' }],
    });
  });

  it('lanes: each local task, plus the rollover refresh unless refresh-cache is daily; run ids name the tick', () => {
    expect(localLanes({ tasks: ['collect-insights'], rolloverRefresh: true }).map((l) => l.key)).toEqual([
      'collect-insights',
      'refresh-cache-rollover',
    ]);
    expect(localLanes({ tasks: ['refresh-cache'], rolloverRefresh: true }).map((l) => l.key)).toEqual([
      'refresh-cache',
    ]);
    expect(localRunId(rollover, new Date('2026-03-30T05:45:00Z'))).toBe(
      'local-refresh-cache-20260330T054500Z-rollover',
    );
  });
});

describe('the tick on a fake clock (real Redis and database)', () => {
  let t: TestStack;
  const zones = {
    auckland: 'Pacific/Auckland',
    warsaw: 'Europe/Warsaw',
    losAngeles: 'America/Los_Angeles',
  } as const;
  const ids: Record<keyof typeof zones, string> = { auckland: '', warsaw: '', losAngeles: '' };

  beforeAll(async () => {
    t = await startTestStack();
    const [a, w, l] = t.seedClients(3, { prefix: 'Zone' });
    Object.assign(ids, { auckland: a, warsaw: w, losAngeles: l });
    for (const [name, zone] of Object.entries(zones)) {
      t.sql(`insert into public.meta_ad_account_validations (client_id, ad_account_id, outcome, timezone_name)
             values ('${ids[name as keyof typeof zones]}', '1', 'active', '${zone}');`);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  /** Jobs the tick added since the last call, then removed as a worker would take them. */
  async function takeJobs(queue: Queue): Promise<Array<{ clientId: string; kind?: string; runId: string }>> {
    const jobs = await queue.getJobs(['prioritized', 'waiting']);
    const taken = jobs.map((job) => ({
      clientId: job.data.clientId as string,
      runId: job.data.runId as string,
      ...(job.data.kind ? { kind: job.data.kind as string } : {}),
    }));
    for (const job of jobs) await job.remove();
    return taken;
  }

  it('Auckland, Warsaw and Los Angeles each get their day’s collection within the delay after their own midnight', async () => {
    const delayMinutes = 20;
    const tickMinutes = 15;
    const runtime = await t.runtime(
      t.config({
        LOCAL_MIDNIGHT_DELAY_MINUTES: String(delayMinutes),
        LOCAL_TICK_MINUTES: String(tickMinutes),
        SCHEDULE_COLLECT_INSIGHTS: 'local',
        SCHEDULE_SUMMARIES: 'local',
      }),
    );
    const collect: Array<{ client: string; at: number }> = [];
    const summaries: Array<{ client: string; kind: string; at: number }> = [];
    const refresh: Array<{ client: string; at: number }> = [];
    const nameOf = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    // Thursday 2026-03-26 00:00Z to Tuesday 2026-03-31 00:00Z, every 15 minutes: Warsaw springs forward on
    // Sunday the 29th; Monday the 30th is a week rollover everywhere.
    const start = Date.parse('2026-03-26T00:00:00Z');
    const end = Date.parse('2026-03-31T00:00:00Z');
    for (let at = start; at <= end; at += tickMinutes * MINUTE) {
      await runtime.localTick(new Date(at));
      for (const job of await takeJobs(runtime.queues['collect-insights'])) {
        collect.push({ client: nameOf.get(job.clientId)!, at });
        expect(job.runId).toMatch(/^local-collect-insights-\d{8}T\d{6}Z$/);
      }
      for (const job of await takeJobs(runtime.queues.summaries)) {
        summaries.push({ client: nameOf.get(job.clientId)!, kind: job.kind!, at });
      }
      for (const job of await takeJobs(runtime.queues['refresh-cache'])) {
        refresh.push({ client: nameOf.get(job.clientId)!, at });
      }
    }

    // Each client's local midnights after the first tick (which only records where every client is).
    const midnights = (zone: string): number[] => {
      const out: number[] = [];
      for (let at = start + MINUTE; at <= end; at += MINUTE) {
        const local = new Intl.DateTimeFormat('en-GB', {
          timeZone: zone,
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(at);
        if (local === '00:00') out.push(at);
      }
      return out;
    };
    for (const [name, zone] of Object.entries(zones)) {
      const runs = collect.filter((c) => c.client === name).map((c) => c.at);
      const expected = midnights(zone).filter((m) => m + delayMinutes * MINUTE <= end);
      expect(runs, name).toHaveLength(expected.length);
      expected.forEach((midnight, index) => {
        const delay = (runs[index]! - midnight) / MINUTE;
        expect(delay, `${name} day ${index}`).toBeGreaterThanOrEqual(delayMinutes);
        expect(delay, `${name} day ${index}`).toBeLessThan(delayMinutes + tickMinutes);
      });
      // Summaries: both kinds, at the same tick as the collection.
      const monthly = summaries.filter((s) => s.client === name && s.kind === 'monthly').map((s) => s.at);
      const weekly = summaries.filter((s) => s.client === name && s.kind === 'weekly').map((s) => s.at);
      expect(monthly).toEqual(runs);
      expect(weekly).toEqual(runs);
      // The cache rollover: only for the local Monday 2026-03-30.
      const refreshed = refresh.filter((r) => r.client === name).map((r) => r.at);
      expect(refreshed, name).toHaveLength(1);
      expect(dueLocalDate(new Date(refreshed[0]!), zone, delayMinutes)).toBe('2026-03-30');
    }
    // Auckland's Monday starts 13 hours before Warsaw's (NZDT, UTC+13), Warsaw's 9 before Los Angeles'.
    const mondayRefresh = Object.fromEntries(refresh.map((r) => [r.client, new Date(r.at).toISOString()]));
    expect(mondayRefresh).toEqual({
      auckland: '2026-03-29T11:30:00.000Z',
      warsaw: '2026-03-29T22:30:00.000Z',
      losAngeles: '2026-03-30T07:30:00.000Z',
    });

    // A tick missed (no producer ran) is caught up by the next one, still once per day.
    const later = Date.parse('2026-03-31T10:00:00Z');
    await runtime.localTick(new Date(later));
    const caughtUp = (await takeJobs(runtime.queues['collect-insights'])).map((j) => nameOf.get(j.clientId));
    expect(caughtUp).toEqual(['losAngeles']);
    await runtime.localTick(new Date(later + tickMinutes * MINUTE));
    expect(await takeJobs(runtime.queues['collect-insights'])).toEqual([]);
  }, 120_000);
});
