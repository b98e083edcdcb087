/**
 * @module progress
 * Following a run until it ends. On a TTY: one live line, redrawn in place, with a bar and the per-state
 * counts. Elsewhere (CI logs, pipes): a plain line whenever the counts changed, at most every
 * `plainIntervalMs`, and always a final line. The rendering functions are pure.
 *
 * @example
 * const final = await waitForRun({ runs }, runId, { out: process.stdout });
 * process.exitCode = final.failed > 0 ? 1 : 0;
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunProgress, RunStore } from '../fanout/run-store.ts';
import type { Output } from './output.ts';

const CLEAR_LINE = '\r\x1b[2K';

/** `waiting 300 · prioritized 50 · delayed 20 · active 7` (zero counts left out). */
export function pendingBreakdown(p: RunProgress): string {
  const parts = (['waiting', 'prioritized', 'delayed', 'active'] as const)
    .filter((state) => p.counts[state] > 0)
    .map((state) => `${state} ${p.counts[state]}`);
  return parts.join(' · ');
}

function percent(p: RunProgress): number {
  return p.total === 0 ? (p.finished ? 100 : 0) : Math.floor(((p.done + p.failed) / p.total) * 100);
}

function stage(p: RunProgress): string {
  if (p.status === 'pending') return 'queued for fan-out';
  if (p.status === 'fanning-out') return 'fanning out';
  if (p.status === 'failed') return `fan-out failed: ${p.error ?? 'unknown error'}`;
  return p.finished ? 'finished' : 'running';
}

/** The live TTY line: bar, percentage, done / failed / pending with per-state counts. */
export function renderProgressBar(p: RunProgress, columns = 100, note?: string): string {
  const width = Math.max(10, Math.min(40, columns - 70));
  const doneCells = p.total === 0 ? 0 : Math.round((p.done / p.total) * width);
  const failedCells =
    p.total === 0 ? 0 : Math.min(width - doneCells, Math.ceil((p.failed / p.total) * width));
  const bar = '█'.repeat(doneCells) + '▓'.repeat(failedCells) + '░'.repeat(width - doneCells - failedCells);
  const pending = p.pending > 0 ? ` (${pendingBreakdown(p)})` : '';
  const extra = note ? `  ${note}` : '';
  return `${p.task} [${bar}] ${String(percent(p)).padStart(3)}%  done ${p.done}/${p.total}  failed ${p.failed}  pending ${p.pending}${pending}  ${stage(p)}${extra}`;
}

/** A plain log line with the same facts. */
export function renderProgressLine(p: RunProgress, now: Date = new Date(), note?: string): string {
  const pending = p.pending > 0 ? ` (${pendingBreakdown(p)})` : '';
  const extra = note ? `; ${note}` : '';
  return `${now.toISOString()} ${p.runId}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.pending} pending${pending}; ${stage(p)}${extra}`;
}

/** Summary after the run ended. */
export function renderSummary(p: RunProgress): string {
  const lines = p.finished
    ? [
        `run ${p.runId} (${p.task}) ${p.status === 'failed' ? 'FAILED' : 'finished'}: ${p.done} done, ${p.failed} failed of ${p.total}`,
      ]
    : [
        `stopped following run ${p.runId} (${p.task}): ${p.done} done, ${p.failed} failed, ${p.pending} pending of ${p.total}; it keeps running (GET /api/runs/${p.runId})`,
      ];
  if (p.counts.removed > 0)
    lines.push(`  ${p.counts.removed} of the done jobs were already removed from Redis (retention)`);
  if (p.skipped > 0)
    lines.push(`  ${p.skipped} clients already had a pending ${p.task} job; the run followed those jobs`);
  if (p.rejected > 0) lines.push(`  ${p.rejected} clients left out: ${p.rejectedSample.join('; ')}`);
  if (p.failed > 0) lines.push('  failed jobs: see Bull Board (/admin/queues) for their errors');
  return `${lines.join('\n')}\n`;
}

export interface WaitOptions {
  out: Output;
  /** Poll interval (default 500 ms). */
  intervalMs?: number;
  /** Minimum time between plain lines when not a TTY (default 5 s). */
  plainIntervalMs?: number;
  /** A note to show (e.g. "queue paused: token_fatal"), read on each poll. */
  note?: () => Promise<string | undefined>;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Polls the run until it finished (or `signal` aborts); returns the last progress. */
export async function waitForRun(
  deps: { runs: Pick<RunStore, 'progress'> },
  runId: string,
  options: WaitOptions,
): Promise<RunProgress> {
  const { out } = options;
  const interval = options.intervalMs ?? 500;
  const plainInterval = options.plainIntervalMs ?? 5000;
  const now = options.now ?? (() => new Date());
  let lastPlain = '';
  let lastPlainAt = 0;
  for (;;) {
    const progress = await deps.runs.progress(runId);
    if (!progress) throw new Error(`run ${runId} not found`);
    const note = await options.note?.().catch(() => undefined);
    if (out.isTTY) {
      out.write(`${CLEAR_LINE}${renderProgressBar(progress, out.columns ?? 100, note)}`);
      if (progress.finished) out.write('\n');
    } else {
      const key = `${progress.done}/${progress.failed}/${progress.pending}/${progress.total}/${progress.status}/${note ?? ''}`;
      const due = Date.now() - lastPlainAt >= plainInterval;
      if (progress.finished || (key !== lastPlain && due)) {
        out.write(`${renderProgressLine(progress, now(), note)}\n`);
        lastPlain = key;
        lastPlainAt = Date.now();
      }
    }
    if (progress.finished || options.signal?.aborted) return progress;
    try {
      await sleep(interval, undefined, { signal: options.signal });
    } catch {
      return progress;
    }
  }
}
