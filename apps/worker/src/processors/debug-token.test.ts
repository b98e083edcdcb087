import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkTokenOncePerRun } from './debug-token.ts';

/** A context with a SET NX store and a debug_token that answers `valid` (or fails). */
function setup(options: { fail?: boolean } = {}) {
  const keys = new Map<string, string>();
  const calls = { set: 0, debugToken: 0 };
  const ctx = {
    controlKeyPrefix: 'meta:control',
    tokenFingerprint: 'a'.repeat(64),
    now: () => new Date(),
    redis: {
      async set(key: string, value: string) {
        calls.set++;
        if (keys.has(key)) return null;
        keys.set(key, value);
        return 'OK';
      },
      async del(key: string) {
        return keys.delete(key) ? 1 : 0;
      },
    },
    meta: {
      async debugToken() {
        calls.debugToken++;
        if (options.fail) throw new Error('network down');
        return { data: { is_valid: true, type: 'SYSTEM_USER', scopes: ['ads_read', 'ads_management'] } };
      },
    },
    repo: { async saveTokenState() {} },
  };
  const log = { info() {}, warn() {}, error() {} };
  const run = (jobId: string) => ({ job: { id: jobId }, data: { runId: 'run-1' }, log });
  const check = (c: unknown, jobId: string) => checkTokenOncePerRun(c as never, run(jobId) as never);
  return { ctx, keys, calls, check };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('checkTokenOncePerRun', () => {
  it('checks once per run; later jobs in the same process do not ask Redis again', async () => {
    const { ctx, calls, check } = setup();
    expect(await check(ctx, 'j1')).not.toBeNull();
    expect(await check(ctx, 'j2')).toBeNull();
    expect(await check(ctx, 'j3')).toBeNull();
    expect(calls).toEqual({ set: 1, debugToken: 1 });
  });

  it('a key another process holds is trusted for a short while, then asked again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-07-01T00:00:00Z'));
    const { ctx, keys, calls, check } = setup();
    const other = { ...ctx }; // another worker process: its own context, the same Redis
    expect(await check(other, 'j1')).not.toBeNull();
    expect(await check(ctx, 'j2')).toBeNull();
    expect(await check(ctx, 'j3')).toBeNull();
    expect(calls.set).toBe(2);
    // The holder's key goes away (its check failed and released it): after the trust period a job of
    // this process claims it and checks.
    keys.clear();
    vi.setSystemTime(Date.parse('2026-07-01T00:00:03Z'));
    expect(await check(ctx, 'j4')).not.toBeNull();
    expect(calls.debugToken).toBe(2);
  });

  it('a failed check releases the key and is not remembered: the next job tries again', async () => {
    const { ctx, calls, check } = setup({ fail: true });
    expect(await check(ctx, 'j1')).toBeNull();
    expect(await check(ctx, 'j2')).toBeNull();
    expect(calls).toEqual({ set: 2, debugToken: 2 });
  });
});
