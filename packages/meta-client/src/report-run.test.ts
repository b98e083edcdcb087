import { describe, expect, it } from 'vitest';
import { isMetaReportRunError, MetaReportRunError } from './errors/meta-report-run-error.ts';
import { emptyUsage } from './parse-usage-headers.ts';
import { interpretReportRun, reportRunSchema } from './report-run.ts';

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
