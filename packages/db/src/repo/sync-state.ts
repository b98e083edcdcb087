/**
 * @module repo/sync-state
 * `meta_sync_state`: per client and task (`validate`, `refresh-cache`, `collect-insights`, …) the last
 * success, the last error and the high-water date of incremental collection, so the app can show
 * "last synced" without Redis.
 */
import { z } from 'zod';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { chunk, lastPerKey } from './bulk.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { quote, requireDate, requireUuid } from './values.ts';
import { createWriteBatcher } from './write-batcher.ts';

/** Lower-case task name, as in the queue names. */
export const TASK_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** The error summary kept with the state (no stack, no token). */
export interface SyncError {
  /** e.g. a meta-client error category: `account_throttle`, `token_fatal`, `transient`, … */
  category: string;
  code?: number | string | null;
  message: string;
}

export interface SyncState {
  clientId: string;
  task: string;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: SyncError | null;
  /** Last day collected completely (`YYYY-MM-DD`); never moves backwards for the same ad account. */
  highWaterDate: string | null;
  /**
   * The ad account the state belongs to (written by guarded writes, migration 0006; null before): a
   * high-water date of another account does not apply to the client's current one.
   */
  adAccountId: string | null;
  /** The last job that wrote nothing because the client changed while it waited (migration 0006). */
  lastSuperseded: SupersededNote | null;
  lastRunId: string | null;
  updatedAt: string;
}

/** `meta_sync_state.last_superseded`. */
export interface SupersededNote {
  at: string;
  runId: string | null;
  /** The account the job served. */
  adAccountId: string;
  /** The client's account when the job wanted to write. */
  currentAdAccountId: string | null;
  reason: string;
}

const syncRow = z.object({
  client_id: z.string(),
  task: z.string(),
  last_success_at: z.string().nullable(),
  last_error_at: z.string().nullable(),
  last_error: z
    .object({
      category: z.string(),
      code: z.union([z.number(), z.string()]).nullable().optional(),
      message: z.string(),
    })
    .nullable(),
  high_water_date: z.string().nullable(),
  ad_account_id: z.string().nullable().optional(),
  last_superseded: z
    .object({
      at: z.string(),
      run_id: z.string().nullable().optional(),
      ad_account_id: z.string(),
      current_ad_account_id: z.string().nullable().optional(),
      reason: z.string(),
    })
    .nullable()
    .optional(),
  last_run_id: z.string().nullable(),
  updated_at: z.string(),
});

/** The columns `toSyncState` reads. */
export const SYNC_STATE_COLUMNS =
  'client_id,task,last_success_at,last_error_at,last_error,high_water_date,ad_account_id,last_superseded,last_run_id,updated_at';
const MAX_MESSAGE = 1000;

/** A `meta_sync_state` row (SYNC_STATE_COLUMNS) as a SyncState; a row of another shape throws (zod). */
export function toSyncState(raw: unknown): SyncState {
  const row = syncRow.parse(raw);
  return {
    clientId: row.client_id,
    task: row.task,
    lastSuccessAt: row.last_success_at,
    lastErrorAt: row.last_error_at,
    lastError: row.last_error ? { ...row.last_error, code: row.last_error.code ?? null } : null,
    highWaterDate: row.high_water_date,
    adAccountId: row.ad_account_id ?? null,
    lastSuperseded: row.last_superseded
      ? {
          at: row.last_superseded.at,
          runId: row.last_superseded.run_id ?? null,
          adAccountId: row.last_superseded.ad_account_id,
          currentAdAccountId: row.last_superseded.current_ad_account_id ?? null,
          reason: row.last_superseded.reason,
        }
      : null,
    lastRunId: row.last_run_id,
    updatedAt: row.updated_at,
  };
}

export function requireTask(task: unknown): string {
  if (typeof task !== 'string' || !TASK_NAME.test(task)) {
    throw new InvalidRowError(TABLES.syncState, 'task', `expected ${TASK_NAME}, got ${quote(task)}`);
  }
  return task;
}

/** The `last_error` column of an error summary: category, code, message (cut to 1000 characters). */
export function syncErrorColumn(error: SyncError): {
  category: string;
  code: number | string | null;
  message: string;
} {
  return {
    category: String(error.category),
    code: error.code ?? null,
    message: String(error.message).slice(0, MAX_MESSAGE),
  };
}

export function createSyncStateRepo(ctx: RepoContext) {
  const table = TABLES.syncState;

  /** Success rows of concurrent jobs in one upsert (same columns; the last row per key wins). */
  const successBatcher = createWriteBatcher(async (rows: Record<string, unknown>[]) => {
    const byKey = new Map<string, Record<string, unknown>>();
    for (const row of rows) byKey.set(`${row.client_id}|${row.task}`, row);
    await run(
      table,
      'upsert',
      ctx.client.from(table).upsert([...byKey.values()], { onConflict: 'client_id,task' }),
    );
    return rows.map(() => undefined);
  }, ctx.writeBatch);

  /** The state of one client's task, or null before its first run. */
  async function getSyncState(clientId: string, task: string): Promise<SyncState | null> {
    const raw = await run(
      table,
      'select',
      ctx.client
        .from(table)
        .select(SYNC_STATE_COLUMNS)
        .eq('client_id', requireUuid(table, 'client_id', clientId))
        .eq('task', requireTask(task))
        .maybeSingle(),
    );
    return raw === null ? null : toSyncState(raw);
  }

  /**
   * Marks a successful run: last_success_at = now, last_run_id, and high_water_date raised to
   * `highWaterDate` (kept if that is earlier, e.g. after a backfill). The last error stays for history.
   *
   * @example
   * await repo.recordSyncSuccess({ clientId, task: 'collect-insights', highWaterDate: '2026-07-19', runId: job.id });
   */
  async function recordSyncSuccess(input: {
    clientId: string;
    task: string;
    highWaterDate?: string | null;
    runId: string;
  }): Promise<void> {
    const clientId = requireUuid(table, 'client_id', input.clientId);
    const task = requireTask(input.task);
    const now = ctx.now().toISOString();
    const row: Record<string, unknown> = {
      client_id: clientId,
      task,
      last_success_at: now,
      last_run_id: input.runId,
      updated_at: now,
    };
    if (!input.highWaterDate) {
      await successBatcher.write(row);
      return;
    }
    const wanted = requireDate(table, 'high_water_date', input.highWaterDate);
    const current = await getSyncState(clientId, task);
    if (!current?.highWaterDate || current.highWaterDate < wanted) row.high_water_date = wanted;
    await run(table, 'upsert', ctx.client.from(table).upsert(row, { onConflict: 'client_id,task' }));
  }

  /**
   * Marks a failed run: last_error_at = now and the error summary; success fields stay.
   *
   * @example
   * await repo.recordSyncFailure({ clientId, task: 'refresh-cache',
   *   error: { category: 'account_throttle', code: 80004, message: 'too many calls' }, runId: job.id });
   */
  async function recordSyncFailure(input: {
    clientId: string;
    task: string;
    error: SyncError;
    runId?: string | null;
  }): Promise<void> {
    const now = ctx.now().toISOString();
    const row: Record<string, unknown> = {
      client_id: requireUuid(table, 'client_id', input.clientId),
      task: requireTask(input.task),
      last_error_at: now,
      last_error: syncErrorColumn(input.error),
      updated_at: now,
    };
    if (input.runId) row.last_run_id = input.runId;
    await run(table, 'upsert', ctx.client.from(table).upsert(row, { onConflict: 'client_id,task' }));
  }

  /**
   * The same failure record for many clients in one upsert per chunk (e.g. every client a run left out),
   * each row `last_error_at = now` with its own error; success fields stay.
   *
   * @example
   * await repo.recordSyncFailures([{ clientId, task: 'validate', runId,
   *   error: { category: 'rejected', message: 'left out of run r1: no Meta ad account' } }]);
   */
  async function recordSyncFailures(
    inputs: ReadonlyArray<{ clientId: string; task: string; error: SyncError; runId: string }>,
  ): Promise<{ rows: number; chunks: number }> {
    const now = ctx.now().toISOString();
    const rows = lastPerKey(
      inputs.map((input) => {
        return {
          client_id: requireUuid(table, 'client_id', input.clientId),
          task: requireTask(input.task),
          last_error_at: now,
          last_error: syncErrorColumn(input.error),
          last_run_id: input.runId,
          updated_at: now,
        };
      }),
      (row) => `${row.client_id}|${row.task}`,
    );
    const parts = chunk(rows, ctx.chunkSize);
    for (const part of parts) {
      await run(table, 'upsert', ctx.client.from(table).upsert(part, { onConflict: 'client_id,task' }));
    }
    return { rows: rows.length, chunks: parts.length };
  }

  return { getSyncState, recordSyncSuccess, recordSyncFailure, recordSyncFailures };
}
