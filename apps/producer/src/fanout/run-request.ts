/**
 * @module run-request
 * What an operator may ask for, from the CLI (`enqueue`) or the admin API (`POST /api/runs`): one schema,
 * one set of rules, checked completely before anything is enqueued.
 *
 * Rules: a task; exactly one of `all` or a non-empty `clientIds`; `since`/`until` only for
 * collect-insights, both or neither, real calendar dates (YYYY-MM-DD), since <= until; `kinds` only for
 * summaries (default both). Then the days Meta can have (`dateRangeProblems`, issue 12.6): since not before
 * Meta's 37 months of history, until not after today (UTC); a request outside them is refused (HTTP 422, CLI
 * exit 2) instead of enqueueing jobs that can only collect nothing. Unknown client ids are checked
 * separately against the directory.
 */
import { earliestInsightsDate } from '@meta-engine/meta-client';
import { CLIENT_TASKS, type ClientTask, SUMMARY_KINDS, type SummaryKind } from '@meta-engine/queue';
import { z } from 'zod';
import type { ClientDirectory } from '../ports.ts';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isCalendarDay, 'is not a real calendar date');

export const runRequestSchema = z
  .object({
    task: z.enum(CLIENT_TASKS, { error: `must be one of ${CLIENT_TASKS.join(', ')}` }),
    all: z.boolean().optional(),
    clientIds: z
      .array(z.string().regex(CLIENT_ID_PATTERN, 'must be a client id (letters, digits, "-" or "_")'))
      .max(10_000, 'at most 10,000 client ids per run; use all')
      .optional(),
    since: isoDay.optional(),
    until: isoDay.optional(),
    kinds: z
      .array(z.enum(SUMMARY_KINDS, { error: `must be one of ${SUMMARY_KINDS.join(', ')}` }))
      .min(1, 'name at least one kind')
      .optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    for (const problem of runRequestProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
  });

export type RunRequestInput = z.input<typeof runRequestSchema>;

export interface RunRequest {
  task: ClientTask;
  /** undefined = every eligible client */
  clientIds?: string[];
  since?: string;
  until?: string;
  /** summaries only: the period kinds (undefined = both). */
  kinds?: SummaryKind[];
}

/** Cross-field rules, shared with the CLI's flag parser. Returns human sentences, empty when fine. */
export function runRequestProblems(value: {
  task?: string;
  all?: boolean | undefined;
  clientIds?: readonly string[] | undefined;
  since?: string | undefined;
  until?: string | undefined;
  kinds?: readonly string[] | undefined;
}): string[] {
  const problems: string[] = [];
  if (value.kinds !== undefined && value.task !== undefined && value.task !== 'summaries') {
    problems.push(`kinds apply only to summaries, not to ${value.task}`);
  }
  const hasClients = value.clientIds !== undefined && value.clientIds.length > 0;
  if (value.all && hasClients) problems.push('choose either all clients or a list of client ids, not both');
  if (!value.all && !hasClients) problems.push('say which clients: all, or at least one client id');
  if (value.since !== undefined || value.until !== undefined) {
    if (value.task !== undefined && value.task !== 'collect-insights') {
      problems.push(`since/until apply only to collect-insights, not to ${value.task}`);
    } else if (value.since === undefined || value.until === undefined) {
      problems.push('give both since and until, or neither');
    } else if (isCalendarDay(value.since) && isCalendarDay(value.until)) {
      if (value.since > value.until) problems.push(`since ${value.since} is after until ${value.until}`);
    }
  }
  return problems;
}

/**
 * Days Meta cannot have: `since` before the first day of its 37-month insights history, `until` after
 * today (UTC). Human sentences, empty when fine (or when a date is missing or malformed: the structural
 * rules report those).
 */
export function dateRangeProblems(
  value: { since?: string | undefined; until?: string | undefined },
  now: Date = new Date(),
): string[] {
  const problems: string[] = [];
  const today = now.toISOString().slice(0, 10);
  const earliest = earliestInsightsDate(today);
  if (value.since !== undefined && isCalendarDay(value.since) && value.since < earliest) {
    problems.push(
      `since ${value.since} is before ${earliest}: Meta keeps insights for 37 months, so nothing earlier can be collected`,
    );
  }
  if (value.until !== undefined && isCalendarDay(value.until) && value.until > today) {
    problems.push(`until ${value.until} is after today (${today}, UTC): Meta has no insights for it yet`);
  }
  return problems;
}

/** A run request asks for days Meta cannot have (HTTP 422, CLI exit 2). */
export class DateRangeError extends Error {
  override readonly name = 'DateRangeError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

/** Throws DateRangeError when `dateRangeProblems` finds any. */
export function assertDatesAvailable(
  value: { since?: string | undefined; until?: string | undefined },
  now: Date = new Date(),
): void {
  const problems = dateRangeProblems(value, now);
  if (problems.length > 0) throw new DateRangeError(problems);
}

/** Drops duplicate client ids, keeping the first occurrence's order. */
export function normalizeRunRequest(input: z.output<typeof runRequestSchema>): RunRequest {
  const request: RunRequest = { task: input.task };
  if (!input.all && input.clientIds) request.clientIds = [...new Set(input.clientIds)];
  if (input.since) request.since = input.since;
  if (input.until) request.until = input.until;
  if (input.kinds) request.kinds = [...new Set(input.kinds)];
  return request;
}

export class UnknownClientsError extends Error {
  override readonly name = 'UnknownClientsError';
  readonly unknownIds: string[];
  constructor(unknownIds: string[]) {
    const shown = unknownIds.slice(0, 10).join(', ');
    const more = unknownIds.length > 10 ? ` and ${unknownIds.length - 10} more` : '';
    super(`unknown client id${unknownIds.length === 1 ? '' : 's'}: ${shown}${more}`);
    this.unknownIds = unknownIds;
  }
}

/** Throws UnknownClientsError naming every id the directory does not know; checks in pages. */
export async function assertClientsExist(
  directory: ClientDirectory,
  ids: readonly string[],
  pageSize: number,
): Promise<void> {
  const unknown: string[] = [];
  for (let i = 0; i < ids.length; i += pageSize) {
    const page = ids.slice(i, i + pageSize);
    const missing = new Set((await directory.getClientsByIds(page)).unknownIds);
    unknown.push(...page.filter((id) => missing.has(id)));
  }
  if (unknown.length > 0) throw new UnknownClientsError(unknown);
}

function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
