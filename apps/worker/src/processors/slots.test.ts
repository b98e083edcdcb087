import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { JobRun, ProcessorContext } from './context.ts';
import { acquireSlot } from './slots.ts';

describe('acquireSlot', () => {
  it('skips the app-block look only while the app is tracked (its calls then pass the app admission)', async () => {
    const acquire = vi.fn(async (request: { adAccountId: string; buc: string; jobId: string }) => ({
      ok: true as const,
      ...request,
      slotAt: 1,
      member: 'm',
      capacity: 1,
      factor: 1,
      release: async () => {},
      extend: async () => {},
    }));
    const app = { active: false };
    const ctx = {
      limiter: { acquire },
      app,
      settings: { maxInlineWaitMs: 0 },
    } as unknown as ProcessorContext;
    const run = {
      job: { id: 'j1' },
      adAccountId: '42',
      log: pino({ level: 'silent' }),
    } as unknown as JobRun<unknown>;

    await acquireSlot(ctx, run, 'ads_insights');
    app.active = true;
    await acquireSlot(ctx, run, 'ads_insights');

    expect(acquire.mock.calls.map(([request]) => request)).toEqual([
      { adAccountId: '42', buc: 'ads_insights', jobId: 'j1', skipAppBlock: false },
      { adAccountId: '42', buc: 'ads_insights', jobId: 'j1', skipAppBlock: true },
    ]);
  });
});
