/**
 * Quota learning from sequences of Meta's answers (lua/includes/quota-estimate.lua), run as-is on a real
 * Redis with a scratch hash: each row is a header sequence (our calls Meta had counted, the percentage it
 * answered) and the interval and estimate it must lead to. Deterministic: no clock is involved.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIncludes } from '../lua/loader.ts';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';

let redis: Redis;
const base = randomPrefix('quota');

beforeAll(() => {
  redis = testRedis();
});

afterAll(async () => {
  await deleteKeys(redis, base);
  await redis.quit();
});

/** ARGV: hint, then (nLo, nHi, pct) per answer. Returns lo, hi, estimate, answers, convergedAfter as strings. */
const SCRIPT = withIncludes(`--- @include "quota-estimate"
local hint = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  observeQuota(KEYS[1], 'b', tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
end
local q, lo, hi, obs = estimateQuota(KEYS[1], 'b', hint)
local conv = redis.call('HGET', KEYS[1], 'qconv:b') or '0'
return {tostring(lo), tostring(hi), tostring(q), tostring(obs), conv}`);

interface Answer {
  /** Our calls in the window when Meta answered (a range when calls were in flight). */
  n: number | [number, number];
  pct: number;
}

async function learn(hint: number, answers: Answer[]) {
  const key = `${base}:${Math.random().toString(36).slice(2)}`;
  const args = answers.flatMap(({ n, pct }) => {
    const [lo, hi] = typeof n === 'number' ? [n, n] : n;
    return [lo, hi, pct];
  });
  const reply = (await redis.eval(SCRIPT, 1, key, hint, ...args)) as string[];
  const [lo, hi, estimate, obs, conv] = reply.map(Number) as [number, number, number, number, number];
  return { lo, hi, estimate, answers: obs, convergedAfter: conv };
}

/** What Meta answers after call k of an account whose quota is q: whole percentages, rounded. */
function wholePct(k: number, q: number): number {
  return Math.round((100 * k) / q);
}

describe('quota estimation from header sequences', () => {
  it.each([
    { name: 'quota 5 (20 % a call) is known after one answer', hint: 600, q: 5, calls: 1, expected: 5 },
    { name: 'quota 26 (3.85 % a call) within four answers', hint: 600, q: 26, calls: 4, expected: 26 },
    { name: 'quota 20 within a handful', hint: 600, q: 20, calls: 5, expected: 20 },
    { name: 'quota 60 within a handful', hint: 600, q: 60, calls: 8, expected: 60 },
  ])('$name', async ({ hint, q, calls, expected }) => {
    const answers = Array.from({ length: calls }, (_, i) => ({ n: i + 1, pct: wholePct(i + 1, q) }));
    const result = await learn(hint, answers);
    expect(result.lo).toBeLessThanOrEqual(q);
    expect(result.hi).toBeGreaterThanOrEqual(q);
    expect(Math.abs(result.estimate - expected) / expected).toBeLessThanOrEqual(0.05);
    expect(result.convergedAfter).toBeGreaterThan(0);
    expect(result.convergedAfter).toBeLessThanOrEqual(calls);
  });

  it('an account Meta allows more than the tier base: the estimate grows with the calls made (never above what Meta allows)', async () => {
    // 20,600 calls (50 active ads): every answer reads 0 %, which only bounds the quota from below.
    const few = await learn(600, [{ n: 1, pct: 0 }]);
    expect(few.estimate).toBe(600);
    expect(few.hi).toBe(0);
    const many = await learn(
      600,
      Array.from({ length: 20 }, (_, i) => ({ n: (i + 1) * 50, pct: wholePct((i + 1) * 50, 20_600) })),
    );
    expect(many.estimate).toBeGreaterThan(600);
    expect(many.lo).toBeLessThanOrEqual(20_600);
  });

  it('a quota consistent with the tier base keeps the base (Meta’s formula agrees)', async () => {
    const result = await learn(600, [
      { n: 6, pct: 1 },
      { n: 12, pct: 2 },
      { n: 30, pct: 5 },
    ]);
    expect(result.estimate).toBe(600);
  });

  it('fractional percentages narrow the interval at once', async () => {
    const result = await learn(600, [{ n: 3, pct: 11.54 }]);
    expect(result.estimate).toBeCloseTo(26, 0);
    expect(result.hi / result.lo).toBeLessThan(1.01);
  });

  it('truncated percentages (14 for 14.9) stay inside the interval', async () => {
    const q = 67;
    const answers = Array.from({ length: 10 }, (_, i) => ({
      n: i + 1,
      pct: Math.floor((100 * (i + 1)) / q),
    }));
    const result = await learn(600, answers);
    expect(result.lo).toBeLessThanOrEqual(q);
    expect(result.hi).toBeGreaterThanOrEqual(q);
  });

  it('calls in flight widen an answer: a range of counted calls still contains the quota', async () => {
    const result = await learn(600, [
      { n: [3, 5], pct: 20 },
      { n: [6, 8], pct: 40 },
    ]);
    expect(result.lo).toBeLessThanOrEqual(20);
    expect(result.hi).toBeGreaterThanOrEqual(20);
  });

  it('a lower quota (someone else uses it, or it shrank) is adopted at once', async () => {
    const result = await learn(600, [
      { n: 1, pct: 5 },
      { n: 2, pct: 10 },
      { n: 3, pct: 30 },
    ]);
    expect(result.hi).toBeLessThan(11);
    expect(result.estimate).toBeLessThan(11);
  });

  it('a higher quota is adopted only after three answers agree', async () => {
    const start = [
      { n: 1, pct: 20 },
      { n: 2, pct: 40 },
    ];
    const higher = (n: number) => ({ n, pct: wholePct(n, 50) });
    const twice = await learn(600, [...start, higher(3), higher(4)]);
    expect(twice.estimate).toBe(5);
    const thrice = await learn(600, [...start, higher(3), higher(4), higher(5)]);
    expect(thrice.estimate).toBeGreaterThan(40);
  });

  it('answers that disagree with each other never raise the estimate', async () => {
    const result = await learn(600, [
      { n: 1, pct: 20 },
      { n: 5, pct: 20 },
      { n: 2, pct: 20 },
      { n: 9, pct: 20 },
    ]);
    expect(result.estimate).toBeLessThanOrEqual(5.2);
  });
});
