/**
 * @module commands/enqueue
 * `producer enqueue <task> (--all | --client <id>...) [--since YYYY-MM-DD --until YYYY-MM-DD]
 *  [--kind monthly|weekly] [--wait]`
 *
 * Everything is checked before the first job is added: flags (strictly), task, dates, contradictions,
 * and that every client id exists. Then the run is fanned out in this process (no running `serve` is
 * needed). With `--wait`, follows the run until it ends and exits 1 if any job failed.
 */

import {
  CLIENT_TASKS,
  type ClientTask,
  isClientTask,
  SUMMARY_KINDS,
  type SummaryKind,
} from '@meta-engine/queue';
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { renderSummary, waitForRun } from '../cli/progress.ts';
import { EXIT, UsageError } from '../cli/usage-error.ts';
import type { ConfigNeeds } from '../config.ts';
import type { FanoutDeps } from '../fanout/fan-out.ts';
import {
  dateRangeProblems,
  type RunRequest,
  runRequestProblems,
  UnknownClientsError,
} from '../fanout/run-request.ts';
import type { RunStore } from '../fanout/run-store.ts';
import { startRunInline } from '../fanout/start-run.ts';
import type { ClientDirectory, PauseControl } from '../ports.ts';

export const name = 'enqueue';
export const description = 'Fan out one run now: a task for all clients or some, optionally waiting for it';
export const usage = `producer enqueue <${CLIENT_TASKS.join('|')}> (--all | --client <id> [--client <id> ...])
                 [--since YYYY-MM-DD --until YYYY-MM-DD] [--kind monthly|weekly] [--wait]

  --all              every eligible client of the task
  --client <id>      one client (repeat, or separate ids with commas)
  --since, --until   collect-insights only: the days to collect (both, since <= until)
  --kind <kind>      summaries only: monthly or weekly rows (repeat; default both); an on-demand run
                     also re-collects the periods Meta may still restate
  --wait             follow the run: live progress on a terminal, plain lines otherwise;
                     exit 1 if any job failed`;
export const needs: ConfigNeeds = {};

export interface EnqueueFlags {
  request: RunRequest;
  wait: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parse(argv: readonly string[], now: Date = new Date()): EnqueueFlags {
  const { values, positionals } = parseFlags(
    argv,
    {
      all: { type: 'boolean' },
      client: { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      kind: { type: 'string', multiple: true },
      wait: { type: 'boolean' },
    },
    { min: 1, max: 1, names: `the task (${CLIENT_TASKS.join(', ')})` },
  );
  const task = positionals[0] ?? '';
  if (!isClientTask(task))
    throw new UsageError(`unknown task "${task}": expected one of ${CLIENT_TASKS.join(', ')}`);
  const clientIds = (values.client ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (clientIds.some((id) => id === '')) throw new UsageError('--client needs a client id');
  for (const flag of ['since', 'until'] as const) {
    const value = values[flag];
    if (value !== undefined && !DATE.test(value)) {
      throw new UsageError(`--${flag} ${JSON.stringify(value)} is not a date as YYYY-MM-DD`);
    }
    if (value !== undefined && !isCalendarDay(value)) {
      throw new UsageError(`--${flag} ${value} is not a real calendar date`);
    }
  }
  const kinds = (values.kind ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  const unknownKind = kinds.find((kind) => !(SUMMARY_KINDS as readonly string[]).includes(kind));
  if (unknownKind !== undefined) {
    throw new UsageError(`--kind ${JSON.stringify(unknownKind)}: expected ${SUMMARY_KINDS.join(' or ')}`);
  }
  const problems = runRequestProblems({
    task,
    all: values.all,
    clientIds: clientIds.length > 0 ? clientIds : undefined,
    since: values.since,
    until: values.until,
    kinds: kinds.length > 0 ? kinds : undefined,
  }).map(toFlagWording);
  if (problems.length === 0 && task === 'collect-insights') {
    problems.push(...dateRangeProblems({ since: values.since, until: values.until }, now).map(toFlagWording));
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const request: RunRequest = { task: task as ClientTask };
  if (!values.all) request.clientIds = [...new Set(clientIds)];
  if (values.since && values.until) {
    request.since = values.since;
    request.until = values.until;
  }
  if (kinds.length > 0) request.kinds = [...new Set(kinds)] as SummaryKind[];
  return { request, wait: values.wait ?? false };
}

function toFlagWording(problem: string): string {
  return problem
    .replace(
      'choose either all clients or a list of client ids, not both',
      '--all and --client cannot be combined',
    )
    .replace('say which clients: all, or at least one client id', 'say which clients: --all or --client <id>')
    .replace('since/until apply', '--since/--until apply')
    .replace('kinds apply', '--kind applies')
    .replace('give both since and until, or neither', 'give both --since and --until, or neither')
    .replace(/^(since|until) /, '--$1 ');
}

function isCalendarDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export interface EnqueueDeps {
  directory: ClientDirectory;
  fanout: FanoutDeps;
  runs: Pick<RunStore, 'progress'>;
  pauses: Pick<PauseControl, 'states'>;
  out: Output;
  err: Output;
  signal?: AbortSignal | undefined;
  /** Poll interval of --wait (default 500 ms) and the plain-line interval (default 5 s). */
  waitIntervalMs?: number;
  plainIntervalMs?: number;
}

export async function run(flags: EnqueueFlags, deps: EnqueueDeps): Promise<number> {
  const { request } = flags;
  let result: Awaited<ReturnType<typeof startRunInline>>;
  try {
    result = await startRunInline(
      { directory: deps.directory, pageSize: deps.fanout.pageSize, fanout: deps.fanout },
      request,
      'cli',
    );
  } catch (error) {
    if (error instanceof UnknownClientsError) {
      deps.err.write(`producer enqueue: ${error.message}; nothing was enqueued\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const target = request.clientIds ? `${request.clientIds.length} client(s)` : 'all eligible clients';
  const range = request.since
    ? ` ${request.since}..${request.until}`
    : request.kinds
      ? ` (${request.kinds.join(', ')})`
      : '';
  const leftOut = result.rejected + result.paused;
  deps.out.write(
    `run ${result.runId}: ${request.task}${range} for ${target}: ${result.created} job(s) created, ` +
      `${result.skipped} already pending (followed), ${leftOut} left out\n`,
  );
  if (leftOut > 0) {
    // Every client left out is named (up to 5 of each kind; the run keeps the count), with its reason.
    const record = await deps.runs.progress(result.runId);
    for (const line of [...(record?.rejectedSample ?? []), ...(record?.pausedSample ?? [])]) {
      deps.out.write(`  left out: ${line}\n`);
    }
    const named = (record?.rejectedSample.length ?? 0) + (record?.pausedSample.length ?? 0);
    if (leftOut > named)
      deps.out.write(`  … and ${leftOut - named} more (each rejected one's sync state says why)\n`);
  }
  if (!flags.wait) return EXIT.ok;
  const final = await waitForRun(deps, result.runId, {
    out: deps.out,
    intervalMs: deps.waitIntervalMs,
    plainIntervalMs: deps.plainIntervalMs,
    signal: deps.signal,
    note: async () => {
      const state = (await deps.pauses.states()).find((s) => s.queue === request.task);
      return state?.paused ? `queue paused${state.reason ? `: ${state.reason}` : ''}` : undefined;
    },
  });
  deps.out.write(renderSummary(final));
  if (!final.finished) return EXIT.failure;
  return final.failed > 0 || final.status === 'failed' ? EXIT.failure : EXIT.ok;
}
