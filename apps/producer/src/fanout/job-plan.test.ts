import { describe, expect, it } from 'vitest';
import { planJobs } from './job-plan.ts';

const A = '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d';
const B = '7f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d';
const clients = [
  { id: A, adAccountId: '123' },
  { id: B, adAccountId: '456' },
];

describe('planJobs', () => {
  it('summaries: one job per client and kind; a scheduled run plans, an operator run also re-collects', () => {
    const scheduled = planJobs(
      { runId: 'local-summaries-20260330T053000Z', task: 'summaries', trigger: 'schedule' },
      clients,
    );
    expect(scheduled.rejected).toEqual([]);
    expect(scheduled.jobs.map((j) => j.opts.jobId)).toEqual([
      `summaries-${A}-monthly-local-summaries-20260330T053000Z`,
      `summaries-${A}-weekly-local-summaries-20260330T053000Z`,
      `summaries-${B}-monthly-local-summaries-20260330T053000Z`,
      `summaries-${B}-weekly-local-summaries-20260330T053000Z`,
    ]);
    expect(scheduled.jobs[0]?.opts.deduplication).toEqual({ id: `summaries-${A}-monthly` });
    expect(scheduled.jobs[0]?.data).toEqual({
      clientId: A,
      adAccountId: '123',
      kind: 'monthly',
      runId: 'local-summaries-20260330T053000Z',
    });
    expect(scheduled.jobs.every((j) => j.opts.priority === 10)).toBe(true);

    const operator = planJobs(
      { runId: 'run-1', task: 'summaries', trigger: 'cli', kinds: ['weekly'] },
      clients,
    );
    expect(operator.jobs.map((j) => j.data)).toEqual([
      { clientId: A, adAccountId: '123', kind: 'weekly', recollect: true, runId: 'run-1' },
      { clientId: B, adAccountId: '456', kind: 'weekly', recollect: true, runId: 'run-1' },
    ]);
  });

  it('drift-check: one job per client', () => {
    const plan = planJobs({ runId: 'tick-1', task: 'drift-check', trigger: 'schedule' }, clients);
    expect(plan.jobs.map((j) => j.opts.jobId)).toEqual([
      `drift-check-${A}-tick-1`,
      `drift-check-${B}-tick-1`,
    ]);
  });
});
