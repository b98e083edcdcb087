import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../fanout/run-store.ts';
import { MemoryOutput } from './output.ts';
import { renderProgressBar, renderProgressLine, renderSummary, waitForRun } from './progress.ts';

function progress(
  overrides: Omit<Partial<RunProgress>, 'counts'> & { counts?: Partial<RunProgress['counts']> } = {},
): RunProgress {
  const counts = {
    completed: 0,
    failed: 0,
    active: 0,
    waiting: 0,
    prioritized: 0,
    delayed: 0,
    removed: 0,
    ...overrides.counts,
  };
  const done = counts.completed + counts.removed;
  const pending = counts.waiting + counts.prioritized + counts.delayed + counts.active;
  const { counts: _ignored, ...rest } = overrides;
  return {
    runId: 'run-validate-20260101T000000Z-abcdef',
    task: 'validate',
    trigger: 'cli',
    status: 'enqueued',
    all: true,
    requested: null,
    since: null,
    until: null,
    created: 10,
    skipped: 0,
    rejected: 0,
    rejectedSample: [],
    paused: 0,
    pausedSample: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    enqueuedAt: null,
    error: null,
    total: 10,
    counts,
    done,
    failed: counts.failed,
    pending,
    finished: pending === 0,
    ...rest,
  };
}

describe('progress rendering', () => {
  it('draws done and failed cells and the per-state counts', () => {
    const line = renderProgressBar(
      progress({ counts: { completed: 5, failed: 1, active: 2, prioritized: 1, delayed: 1 } }),
      110,
    );
    expect(line).toBe(
      `validate [${'█'.repeat(20)}${'▓'.repeat(4)}${'░'.repeat(16)}]  60%  done 5/10  failed 1  pending 4 (prioritized 1 · delayed 1 · active 2)  running`,
    );
  });

  it('prints plain lines with a timestamp', () => {
    const line = renderProgressLine(
      progress({ counts: { completed: 10 } }),
      new Date('2026-01-01T00:00:05Z'),
      'queue paused: token_fatal',
    );
    expect(line).toBe(
      '2026-01-01T00:00:05.000Z run-validate-20260101T000000Z-abcdef: 10/10 done, 0 failed, 0 pending; finished; queue paused: token_fatal',
    );
  });

  it('summarises what the operator should know', () => {
    const text = renderSummary(
      progress({
        skipped: 2,
        rejected: 1,
        rejectedSample: ['c9: adAccountId: must not be empty'],
        counts: { completed: 8, removed: 1, failed: 1 },
      }),
    );
    expect(text).toContain('finished: 9 done, 1 failed of 10');
    expect(text).toContain('1 of the done jobs were already removed from Redis');
    expect(text).toContain('2 clients already had a pending validate job');
    expect(text).toContain('1 clients left out: c9: adAccountId: must not be empty');
  });
});

describe('waitForRun', () => {
  it('polls until the run finished and writes one plain line per change', async () => {
    const frames = [
      progress({ counts: { prioritized: 10 } }),
      progress({ counts: { prioritized: 10 } }),
      progress({ counts: { completed: 4, active: 1, prioritized: 5 } }),
      progress({ counts: { completed: 10 } }),
    ];
    const out = new MemoryOutput();
    const final = await waitForRun({ runs: { progress: async () => frames.shift() ?? null } }, 'run-x', {
      out,
      intervalMs: 0,
      plainIntervalMs: 0,
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    expect(final.finished).toBe(true);
    expect(out.text.trim().split('\n')).toEqual([
      '2026-01-01T00:00:00.000Z run-validate-20260101T000000Z-abcdef: 0/10 done, 0 failed, 10 pending (prioritized 10); running',
      '2026-01-01T00:00:00.000Z run-validate-20260101T000000Z-abcdef: 4/10 done, 0 failed, 6 pending (prioritized 5 · active 1); running',
      '2026-01-01T00:00:00.000Z run-validate-20260101T000000Z-abcdef: 10/10 done, 0 failed, 0 pending; finished',
    ]);
  });

  it('reports a fan-out that failed as finished', async () => {
    const out = new MemoryOutput({ isTTY: true });
    const final = await waitForRun(
      {
        runs: {
          progress: async () =>
            progress({ status: 'failed', error: 'db down', total: 0, created: 0, finished: true }),
        },
      },
      'run-x',
      { out, intervalMs: 0 },
    );
    expect(final.status).toBe('failed');
    expect(out.text).toContain('fan-out failed: db down');
    expect(out.text.endsWith('\n')).toBe(true);
  });
});
