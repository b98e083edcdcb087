import { describe, expect, it } from 'vitest';
import { MetaNetworkError } from './errors/meta-network-error.ts';
import { isMetaReportRunError, MetaReportRunError } from './errors/meta-report-run-error.ts';
import { emptyUsage } from './parse-usage-headers.ts';
import type { ReportRunCheck } from './report-run.ts';
import { interpretReportRun, pollReportRun, reportRunSchema } from './report-run.ts';

const ctx = { reportRunId: '6044775548468', usage: emptyUsage() };
const run = (fields: Record<string, unknown>) => reportRunSchema.parse({ id: '6044775548468', ...fields });

describe('interpretReportRun', () => {
  it('is done only at Job Completed and 100 % (reference AdReportRun sample)', () => {
    const sample = reportRunSchema.parse({
      id: '6044775548468',
      account_id: '1010035716096012',
      time_ref: 1459788928,
      time_completed: 1459788990,
      async_status: 'Job Completed',
      async_percent_completion: 100,
    });
    expect(interpretReportRun(sample, ctx).done).toBe(true);
    expect(
      interpretReportRun(run({ async_status: 'Job Completed', async_percent_completion: 99 }), ctx).done,
    ).toBe(false);
    for (const status of ['Job Not Started', 'Job Started', 'Job Running']) {
      expect(interpretReportRun(run({ async_status: status, async_percent_completion: 50 }), ctx).done).toBe(
        false,
      );
    }
  });

  it.each([
    [
      'Job Failed -3/1504045 report too large',
      { error_code: -3, error_subcode: 1504045, error_message: 'Report Too Large' },
      'data_too_large',
    ],
    [
      'Job Failed -2/2490547 try again later',
      { error_code: -2, error_subcode: 2490547, error_message: 'Report Failed, try again later' },
      'transient',
    ],
    ['Job Failed without error fields (pre-v25)', {}, 'data_too_large'],
  ] as const)('%s → %s', (_name, fields, category) => {
    let thrown: unknown;
    try {
      interpretReportRun(run({ async_status: 'Job Failed', async_percent_completion: 40, ...fields }), ctx);
    } catch (error) {
      thrown = error;
    }
    expect(isMetaReportRunError(thrown)).toBe(true);
    const error = thrown as MetaReportRunError;
    expect(error.category).toBe(category);
    expect(error.failure).toBe('job_failed');
    expect(error.reportRunId).toBe('6044775548468');
    expect(error.asyncPercentCompletion).toBe(40);
  });

  it('Job Skipped → transient (resubmit)', () => {
    expect(() => interpretReportRun(run({ async_status: 'Job Skipped' }), ctx)).toThrow(MetaReportRunError);
    try {
      interpretReportRun(run({ async_status: 'Job Skipped' }), ctx);
    } catch (error) {
      expect((error as MetaReportRunError).category).toBe('transient');
      expect((error as MetaReportRunError).failure).toBe('job_skipped');
    }
  });
});

function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

function scripted(steps: Array<Partial<ReportRunCheck['run']> | Error>) {
  let i = 0;
  return async (): Promise<ReportRunCheck> => {
    const step = steps[Math.min(i, steps.length - 1)];
    i += 1;
    if (step instanceof Error) throw step;
    return interpretReportRun(run({ async_percent_completion: 0, ...step }), ctx);
  };
}

describe('pollReportRun', () => {
  it('polls with exponential backoff until completed', async () => {
    const clock = fakeClock();
    const result = await pollReportRun(
      scripted([
        { async_status: 'Job Not Started' },
        { async_status: 'Job Started' },
        { async_status: 'Job Running', async_percent_completion: 40 },
        { async_status: 'Job Running', async_percent_completion: 90 },
        { async_status: 'Job Completed', async_percent_completion: 100 },
      ]),
      ctx.reportRunId,
      { ...clock, initialDelayMs: 1000, factor: 2, maxDelayMs: 4000 },
    );
    expect(result.done).toBe(true);
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 4000]);
  });

  it('throws poll_budget_exhausted (transient) when the budget runs out', async () => {
    const clock = fakeClock();
    const error = await pollReportRun(
      scripted([{ async_status: 'Job Running', async_percent_completion: 30 }]),
      ctx.reportRunId,
      { ...clock, initialDelayMs: 1000, factor: 2, maxDelayMs: 8000, budgetMs: 20_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaReportRunError);
    const e = error as MetaReportRunError;
    expect(e.failure).toBe('poll_budget_exhausted');
    expect(e.category).toBe('transient');
    expect(e.asyncStatus).toBe('Job Running');
    expect(e.asyncPercentCompletion).toBe(30);
    expect(clock.now()).toBeLessThanOrEqual(20_000);
  });

  it('throws Job Failed at once', async () => {
    const clock = fakeClock();
    const error = await pollReportRun(
      scripted([
        { async_status: 'Job Running' },
        { async_status: 'Job Failed', error_code: -3, error_subcode: 1504045 },
      ]),
      ctx.reportRunId,
      clock,
    ).catch((e: unknown) => e);
    expect((error as MetaReportRunError).category).toBe('data_too_large');
    expect(clock.sleeps).toHaveLength(1);
  });

  it('tolerates a few transient poll failures in a row, then gives up', async () => {
    const clock = fakeClock();
    const blip = new MetaNetworkError({ errorCode: 'ECONNRESET' });
    const ok = await pollReportRun(
      scripted([blip, blip, { async_status: 'Job Completed', async_percent_completion: 100 }]),
      ctx.reportRunId,
      clock,
    );
    expect(ok.done).toBe(true);
    const error = await pollReportRun(scripted([blip]), ctx.reportRunId, {
      ...fakeClock(),
      maxConsecutiveErrors: 2,
    }).catch((e: unknown) => e);
    expect(error).toBe(blip);
  });

  it('does not swallow non-transient poll errors', async () => {
    const fatal = new Error('programming error');
    await expect(pollReportRun(scripted([fatal]), ctx.reportRunId, fakeClock())).rejects.toBe(fatal);
  });
});
