/**
 * @module console/client-view
 * Pure view models of the console's clients table (also the JSON of `/api/clients` and the rows of
 * `producer status --clients`): one row per client from the database facts, the limiter's list of blocks
 * and the freshness objectives, with the four flags an operator filters on:
 *
 * - **failing**: the newest check says the account cannot be used (no access, inactive account, token
 *   invalid or expired, check failed), `api_status` takes it out of the app's jobs, the ad account id is
 *   malformed, or a task's last run failed (its last error is newer than its last success);
 * - **stale**: an objective that applies to it is not met;
 * - **throttled**: the limiter blocks its ad account now (any business use case);
 * - **paused**: an operator paused it (no jobs until resumed).
 *
 * Sorting and filtering happen here too, so the HTML page, the JSON and the CLI agree.
 */
import { CLIENT_TASKS, type ClientTask, normalizeAccountId } from '@meta-engine/queue';
import { z } from 'zod';
import type { ClientFacts, ThrottleList } from '../ports.ts';
import {
  assessFreshness,
  type FreshnessObjectives,
  type FreshnessVerdict,
  OBJECTIVES,
  type ObjectiveName,
} from './freshness.ts';

export interface TaskCell {
  lastSuccessAt: string | null;
  lastError: { category: string; code: number | string | null; message: string; at: string | null } | null;
  /** The task's last run failed: its error is newer than its last success (or it never succeeded). */
  failing: boolean;
  lastRunId: string | null;
  /** The job of the task's last run (`<task>-<clientId>-<runId>`), for Bull Board; null when unknown. */
  lastJobId: string | null;
}

export interface ClientRow {
  id: string;
  name: string;
  /** Bare ad account id as the limiter keys it, or the stored value when it is malformed. */
  adAccountId: string;
  adAccountValid: boolean;
  apiStatus: string;
  tokenHealthStatus: string | null;
  validation: {
    outcome: string | null;
    checkedAt: string | null;
    accountStatus: number | null;
    accountName: string | null;
    error: string | null;
  };
  tasks: Record<ClientTask, TaskCell>;
  freshness: FreshnessVerdict;
  collected: {
    /** Days with data (counted on the client's own page only; null in the table). */
    days: number | null;
    firstDay: string | null;
    lastDay: string | null;
    /** Days from the first to the last collected day, both included. */
    spanDays: number;
    highWater: string | null;
  };
  /** Blocks in force on the ad account (limiter), soonest end first. */
  blocks: { buc: string; until: string }[];
  pause: { reason: string | null; since: string | null; by: string | null } | null;
  flags: { failing: boolean; stale: boolean; throttled: boolean; paused: boolean };
  /** Why it is failing, in words (empty when it is not). */
  problems: string[];
}

const OUTCOME_PROBLEMS: Record<string, string> = {
  no_access: 'the token cannot reach this ad account',
  account_inactive: 'the ad account is not active',
  token_invalid: 'the token is invalid',
  token_expired: 'the token has expired',
  check_failed: 'the last check learned nothing',
};

function taskCell(facts: ClientFacts, task: ClientTask): TaskCell {
  const state = facts.syncState[task];
  if (!state)
    return { lastSuccessAt: null, lastError: null, failing: false, lastRunId: null, lastJobId: null };
  const errorAt = state.lastErrorAt;
  const failing =
    state.lastError !== null &&
    (state.lastSuccessAt === null ||
      (errorAt !== null && Date.parse(errorAt) > Date.parse(state.lastSuccessAt)));
  const runId = state.lastRunId;
  return {
    lastSuccessAt: state.lastSuccessAt,
    lastError: state.lastError ? { ...state.lastError, at: errorAt } : null,
    failing,
    lastRunId: runId,
    lastJobId: runId === null ? null : runId.startsWith(`${task}-`) ? runId : `${task}-${facts.id}-${runId}`,
  };
}

function accountOf(raw: string): { id: string; valid: boolean } {
  try {
    const id = normalizeAccountId(raw);
    return { id, valid: /^\d+$/.test(id) };
  } catch {
    return { id: raw.trim(), valid: false };
  }
}

/** Blocks per ad account from the limiter's list (one call for every client). */
function blocksByAccount(list: ThrottleList | null): Map<string, { buc: string; until: string }[]> {
  const byAccount = new Map<string, { buc: string; until: string }[]>();
  for (const block of list?.accounts ?? []) {
    const entry = byAccount.get(block.adAccountId) ?? [];
    entry.push({ buc: block.buc, until: block.until.toISOString() });
    byAccount.set(block.adAccountId, entry);
  }
  return byAccount;
}

/** One client's row. `blocks` are its ad account's blocks from `blocksByAccount`. */
export function buildClientRow(
  facts: ClientFacts,
  blocks: readonly { buc: string; until: string }[],
  objectives: FreshnessObjectives,
  now: Date,
): ClientRow {
  const account = accountOf(facts.rawAdAccountId);
  const tasks = Object.fromEntries(CLIENT_TASKS.map((task) => [task, taskCell(facts, task)])) as Record<
    ClientTask,
    TaskCell
  >;
  const paused = facts.control?.paused === true;
  const freshness = assessFreshness(
    {
      apiStatus: facts.apiStatus,
      paused,
      timezone: facts.timezone,
      lastConclusiveCheckAt: facts.lastConclusiveCheckAt,
      monthCache: facts.monthCache,
      weekCache: facts.weekCache,
      insightsHighWater: facts.syncState['collect-insights']?.highWaterDate ?? null,
    },
    objectives,
    now,
  );
  const v = facts.lastValidation;
  const problems: string[] = [];
  if (v && v.outcome !== 'active') {
    const status =
      v.outcome === 'account_inactive' && v.accountStatus !== null ? ` (status ${v.accountStatus})` : '';
    problems.push(`${OUTCOME_PROBLEMS[v.outcome] ?? v.outcome}${status}`);
  }
  if (facts.apiStatus === 'invalid' || facts.apiStatus === 'expired') {
    problems.push(`api_status is ${facts.apiStatus}: the app leaves it out of every job`);
  }
  if (!account.valid) problems.push(`the ad account id "${facts.rawAdAccountId}" is malformed`);
  for (const task of CLIENT_TASKS) {
    const cell = tasks[task];
    if (cell.failing && cell.lastError) {
      const code = cell.lastError.code === null ? '' : ` ${cell.lastError.code}`;
      problems.push(`${task} failed: ${cell.lastError.category}${code}`);
    }
  }
  const sortedBlocks = [...blocks].sort((a, b) => a.until.localeCompare(b.until));
  return {
    id: facts.id,
    name: facts.name,
    adAccountId: account.id,
    adAccountValid: account.valid,
    apiStatus: facts.apiStatus,
    tokenHealthStatus: facts.tokenHealthStatus,
    validation: {
      outcome: v?.outcome ?? null,
      checkedAt: v?.checkedAt ?? null,
      accountStatus: v?.accountStatus ?? null,
      accountName: v?.accountName ?? null,
      error: v?.errorMessage
        ? `${v.errorCode ?? ''}${v.errorSubcode ? `/${v.errorSubcode}` : ''} ${v.errorMessage}`.trim()
        : null,
    },
    tasks,
    freshness,
    collected: {
      ...facts.collected,
      spanDays:
        facts.collected.firstDay && facts.collected.lastDay
          ? Math.round(
              (Date.parse(facts.collected.lastDay) - Date.parse(facts.collected.firstDay)) / 86_400_000,
            ) + 1
          : 0,
      highWater: facts.syncState['collect-insights']?.highWaterDate ?? null,
    },
    blocks: sortedBlocks,
    pause: paused
      ? {
          reason: facts.control?.reason ?? null,
          since: facts.control?.pausedAt ?? null,
          by: facts.control?.changedBy ?? null,
        }
      : null,
    flags: {
      failing: problems.length > 0,
      stale: OBJECTIVES.some((o) => freshness.results[o].state === 'not_met'),
      throttled: sortedBlocks.length > 0,
      paused,
    },
    problems,
  };
}

/** Every client's row; one pass over the limiter's list. */
export function buildClientRows(
  clients: readonly ClientFacts[],
  throttles: ThrottleList | null,
  objectives: FreshnessObjectives,
  now: Date,
): ClientRow[] {
  const blocks = blocksByAccount(throttles);
  return clients.map((facts) =>
    buildClientRow(facts, blocks.get(accountOf(facts.rawAdAccountId).id) ?? [], objectives, now),
  );
}

export const FILTERS = ['all', 'failing', 'stale', 'throttled', 'paused', 'healthy'] as const;
export type ClientFilter = (typeof FILTERS)[number];

const SORT_KEYS = [
  'attention',
  'name',
  'account',
  'validated',
  'month_cache',
  'week_cache',
  'insights',
  'collected',
  'blocked',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const clientQuerySchema = z
  .object({
    filter: z.enum(FILTERS, { error: `must be one of ${FILTERS.join(', ')}` }).default('all'),
    sort: z.enum(SORT_KEYS, { error: `must be one of ${SORT_KEYS.join(', ')}` }).default('attention'),
    dir: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
    q: z.string().trim().max(200, 'at most 200 characters').default(''),
  })
  .strict();
export type ClientQuery = z.output<typeof clientQuerySchema>;

function matchesFilter(row: ClientRow, filter: ClientFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'healthy':
      return !row.flags.failing && !row.flags.stale && !row.flags.throttled && !row.flags.paused;
    default:
      return row.flags[filter];
  }
}

/** failing 8 + throttled 4 + stale 2 + paused 1: the default order puts what needs a person first. */
function attentionScore(row: ClientRow): number {
  const f = row.flags;
  return (f.failing ? 8 : 0) + (f.throttled ? 4 : 0) + (f.stale ? 2 : 0) + (f.paused ? 1 : 0);
}

/** Numbers compare as numbers, null last whatever the direction; strings by locale. */
function sortValue(row: ClientRow, key: SortKey): number | string | null {
  const age = (objective: ObjectiveName) => row.freshness.results[objective].ageSeconds;
  switch (key) {
    case 'attention':
      return attentionScore(row);
    case 'name':
      return row.name.toLowerCase();
    case 'account':
      return row.adAccountId;
    case 'validated':
      return row.validation.checkedAt === null ? null : Date.parse(row.validation.checkedAt);
    case 'month_cache':
    case 'week_cache':
    case 'insights':
      return age(key);
    case 'collected':
      return row.collected.spanDays;
    case 'blocked':
      return row.blocks[0] ? Date.parse(row.blocks[0].until) : null;
  }
}

/** Natural direction per key: what needs attention (or is biggest) first. */
export function defaultDirection(key: SortKey): 'asc' | 'desc' {
  return key === 'name' || key === 'account' ? 'asc' : 'desc';
}

export interface ClientSelection {
  rows: ClientRow[];
  counts: Record<ClientFilter, number>;
  query: ClientQuery & { dir: 'asc' | 'desc' };
}

/** Filters (flag and text), sorts (stable, ties by name) and counts every filter over all rows. */
export function selectClients(rows: readonly ClientRow[], query: ClientQuery): ClientSelection {
  const counts = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<ClientFilter, number>;
  for (const row of rows) for (const filter of FILTERS) if (matchesFilter(row, filter)) counts[filter] += 1;
  const needle = query.q.toLowerCase();
  const dir = query.dir ?? defaultDirection(query.sort);
  const sign = dir === 'asc' ? 1 : -1;
  const picked = rows.filter(
    (row) =>
      matchesFilter(row, query.filter) &&
      (needle === '' ||
        row.name.toLowerCase().includes(needle) ||
        row.adAccountId.includes(needle) ||
        row.id.includes(needle)),
  );
  const keyed = picked.map((row) => ({
    row,
    value: sortValue(row, query.sort),
    name: row.name.toLowerCase(),
  }));
  keyed.sort((a, b) => {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return (a.value < b.value ? -1 : 1) * sign;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return { rows: keyed.map((k) => k.row), counts, query: { ...query, dir } };
}
