import { describe, expect, it } from 'vitest';
import { MetaApiError } from './errors/meta-api-error.ts';
import type { InsightsParams } from './insights-params.ts';
import { emptyUsage } from './parse-usage-headers.ts';
import { readWithSplitting } from './read-with-splitting.ts';

const tooLarge = () =>
  new MetaApiError({
    category: 'data_too_large',
    status: 400,
    code: 100,
    subcode: 1487534,
    metaMessage: 'Invalid parameter',
  });
const reduceData = () =>
  new MetaApiError({
    category: 'data_too_large',
    status: 500,
    code: 1,
    metaMessage: "Please reduce the amount of data you're asking for, then retry your request",
  });

function days(p: InsightsParams): number {
  const r = p.time_range;
  if (!r) return 0;
  return (Date.parse(r.until) - Date.parse(r.since)) / 86_400_000 + 1;
}

describe('readWithSplitting', () => {
  it('returns the single read untouched when it succeeds', async () => {
    const result = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-31' } },
      async () => ({
        data: [1],
        usage: emptyUsage(),
        pages: 1,
      }),
    );
    expect(result).toEqual({ data: [1], usage: emptyUsage(), pages: 1, parts: 1 });
  });

  it('halves the range until parts fit, merging rows in date order', async () => {
    const seen: string[] = [];
    const read = async (p: InsightsParams) => {
      seen.push(`${p.time_range?.since}..${p.time_range?.until}@${p.limit}`);
      if (days(p) > 2) throw tooLarge();
      return { data: [p.time_range?.since ?? ''], usage: emptyUsage(), pages: 1 };
    };
    const result = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-08' }, time_increment: 1, limit: 100 },
      read,
    );
    expect(result.data).toEqual(['2026-07-01', '2026-07-03', '2026-07-05', '2026-07-07']);
    expect(result.parts).toBe(4);
    expect(result.pages).toBe(4);
    // Not a reduce-data error: the limit is never halved.
    expect(seen.every((s) => s.endsWith('@100'))).toBe(true);
  });

  it('halves limit only for "Please reduce the amount of data", together with the split', async () => {
    const limits: Array<number | undefined> = [];
    const read = async (p: InsightsParams) => {
      limits.push(p.limit);
      if (days(p) > 1) throw reduceData();
      return { data: [p.time_range?.since ?? ''], usage: emptyUsage(), pages: 1 };
    };
    const result = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-02' }, time_increment: 1, limit: 100 },
      read,
    );
    expect(result.data).toEqual(['2026-07-01', '2026-07-02']);
    expect(limits).toEqual([100, 50, 50]);
  });

  it('keeps a page size learned in one part for the following parts', async () => {
    const limits: Array<number | undefined> = [];
    await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-04' }, time_increment: 1, limit: 100 },
      async (p) => {
        limits.push(p.limit);
        if ((p.limit ?? 100) > 25) throw reduceData();
        return { data: [], usage: emptyUsage(), pages: 1 };
      },
    );
    // 4 days @100 fails → halves @50: first half fails → quarters @25 succeed; second half starts at 25
    expect(limits).toEqual([100, 50, 25, 25, 25]);
  });

  it('for reduce-data on a single day, halves the limit down to the floor, then rethrows', async () => {
    const limits: Array<number | undefined> = [];
    const error = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-01' }, time_increment: 1, limit: 100 },
      async (p) => {
        limits.push(p.limit);
        throw reduceData();
      },
      { minLimit: 10 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaApiError);
    expect(limits).toEqual([100, 50, 25, 12, 10]);
  });

  it('a single day that is still too large rethrows the original error', async () => {
    const original = tooLarge();
    const calls: InsightsParams[] = [];
    const error = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-01' }, time_increment: 1 },
      async (p) => {
        calls.push(p);
        throw original;
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(original);
    expect(calls).toHaveLength(1);
  });

  it('does not split all_days reads (totals cannot be re-added)', async () => {
    const original = tooLarge();
    const error = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-31' } },
      async () => {
        throw original;
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(original);
  });

  it('rethrows other errors without splitting', async () => {
    const throttle = new MetaApiError({
      category: 'account_throttle',
      status: 400,
      code: 80000,
      metaMessage: 'x',
    });
    let calls = 0;
    const error = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-31' }, time_increment: 1 },
      async () => {
        calls += 1;
        throw throttle;
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(throttle);
    expect(calls).toBe(1);
  });

  it('fails the whole read when a later part fails: no partial result', async () => {
    const throttle = new MetaApiError({
      category: 'account_throttle',
      status: 400,
      code: 80000,
      metaMessage: 'x',
    });
    const error = await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-02' }, time_increment: 1 },
      async (p) => {
        if (days(p) > 1) throw tooLarge();
        if (p.time_range?.since === '2026-07-02') throw throttle;
        return { data: [1], usage: emptyUsage(), pages: 1 };
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(throttle);
  });

  it('reports each split to onSplit', async () => {
    const events: string[] = [];
    await readWithSplitting(
      { time_range: { since: '2026-07-01', until: '2026-07-02' }, time_increment: 1 },
      async (p) => {
        if (days(p) > 1) throw tooLarge();
        return { data: [], usage: emptyUsage(), pages: 1 };
      },
      { onSplit: (e) => events.push(e.reason) },
    );
    expect(events).toEqual(['split']);
  });
});
