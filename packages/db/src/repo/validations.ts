/**
 * @module repo/validations
 * `meta_ad_account_validations` (history, one row per check) and the client columns a check updates:
 * `token_health_status`, `api_status`, `last_token_validation` (mapping in ../validation-mapping.ts).
 */

import { z } from 'zod';
import { ClientSupersededError, SUPERSEDED_REASONS } from '../errors/client-superseded-error.ts';
import { DbError, type PostgrestErrorLike, toDbError } from '../errors/db-error.ts';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import {
  type MappingResult,
  mapValidationOutcome,
  VALIDATION_OUTCOMES,
  type ValidationOutcome,
} from '../validation-mapping.ts';
import { API_STATUSES, type ApiStatus } from './clients.ts';
import { type RepoContext, run } from './context.ts';
import { storedAdAccountId } from './stored-ad-account-id.ts';
import { TABLES } from './tables.ts';
import { optionalInteger, quote, requireUuid } from './values.ts';
import { createWriteBatcher } from './write-batcher.ts';

export interface ValidationRecord {
  clientId: string;
  /** The ad account checked (`act_123` or `123`). */
  adAccountId: string;
  outcome: ValidationOutcome;
  /** When the check ran (default now). With clientId the natural key: re-recording one check is a no-op. */
  checkedAt?: Date | string;
  /** Meta `account_status` (1 active, 2 disabled, 3 unsettled, 101 closed, …) when the account answered. */
  accountStatus?: number | null;
  disableReason?: number | null;
  accountName?: string | null;
  currency?: string | null;
  timezoneName?: string | null;
  /** The Meta error, when the check failed. Messages must already be scrubbed of tokens. */
  error?: {
    code?: number | null;
    subcode?: number | null;
    message?: string | null;
    fbtraceId?: string | null;
  } | null;
  /** A fingerprint of the token used (e.g. the first 16 hex chars of its sha256), never the token. */
  tokenFingerprint?: string | null;
  runId?: string | null;
  /**
   * Record the check only while the client still has `adAccountId` and is not paused (migration 0006);
   * otherwise nothing is written, the validate task's sync state notes it, and `ClientSupersededError` is
   * thrown. In the same request and transaction as the write: no extra round trip.
   */
  ifCurrentAccount?: boolean;
  /** Also mark the validate task's success in `meta_sync_state`, in the same transaction (migration 0006). */
  recordSyncSuccess?: boolean;
}

export interface ValidationResult extends MappingResult {
  clientId: string;
  checkedAt: string;
  /** api_status before the check. */
  previousApiStatus: ApiStatus;
}

const clientStatusRow = z.object({ api_status: z.enum(API_STATUSES) });
const previousRow = z.object({
  excluded_by_validation: z.boolean(),
  api_status_after: z.string().nullable(),
});

/** Migration 0004's function: records one or many checks in one request. */
export const RECORD_VALIDATIONS_RPC = 'meta_record_validations';

// The answer of a written check first: zod's union tries its options in order, and the other two shapes
// (which the function never mixes with it) are the rare ones.
const rpcAnswers = z.array(
  z.union([
    z.object({
      client_id: z.string(),
      guarded: z.boolean().optional(),
      previous_api_status: z.enum(API_STATUSES),
      api_status: z.enum(API_STATUSES),
      token_health_status: z.enum(['valid', 'invalid', 'expired']).nullable(),
      touch_last_validation: z.boolean(),
      excluded_by_validation: z.boolean(),
    }),
    z.object({
      client_id: z.string(),
      superseded: z.enum(SUPERSEDED_REASONS),
      current_ad_account_id: z.string().nullable(),
    }),
    z.object({ client_id: z.string(), error: z.literal('NOT_FOUND') }),
  ]),
);

/** The history columns a check supplies (the mapping adds the api_status / health columns). */
interface HistoryInput {
  client_id: string;
  ad_account_id: string;
  checked_at: string;
  outcome: ValidationOutcome;
  account_status: number | null;
  disable_reason: number | null;
  account_name: string | null;
  currency: string | null;
  timezone_name: string | null;
  error_code: number | null;
  error_subcode: number | null;
  error_message: string | null;
  fbtrace_id: string | null;
  token_fingerprint: string | null;
  run_id: string | null;
  /** 0006: record only while the client serves this account. */
  if_account?: string;
  /** 0006: also the validate task's sync success. */
  sync_success?: boolean;
}

const RPC_RETRY_MS = 60_000;

/** PostgREST's "function not found" (schema cache) or Postgres' undefined_function. */
function isMissingFunction(error: PostgrestErrorLike): boolean {
  return error.code === 'PGRST202' || error.code === '42883';
}

export function createValidationsRepo(ctx: RepoContext) {
  const history = TABLES.validations;
  const clients = TABLES.clients;
  /** Until when to skip migration 0004's function after PostgREST said it does not exist (ms epoch). */
  let rpcMissingUntil = 0;

  /**
   * Records one check: a history row, then the client's token_health_status / api_status /
   * last_token_validation per the mapping. Returns what was written.
   *
   * @example
   * await repo.recordValidation({ clientId, adAccountId: 'act_123', outcome: 'no_access',
   *   error: { code: 200, message: 'Permissions error', fbtraceId: 'Abc' }, tokenFingerprint: 'a1b2c3d4e5f6a7b8' });
   */
  /** The database lacks what a guarded validation needs (a migration not applied). */
  function needsMigration(migration: string): DbError {
    return new DbError(
      `${RECORD_VALIDATIONS_RPC} predates migration ${migration}: run pnpm db:migrate before starting the worker`,
      { table: history, operation: 'upsert', code: '42883' },
    );
  }

  async function recordValidation(record: ValidationRecord): Promise<ValidationResult> {
    const clientId = requireUuid(history, 'client_id', record.clientId);
    if (!(VALIDATION_OUTCOMES as readonly string[]).includes(record.outcome)) {
      throw new InvalidRowError(
        history,
        'outcome',
        `expected one of ${VALIDATION_OUTCOMES.join(', ')}, got ${quote(record.outcome)}`,
      );
    }
    let adAccountId: string;
    try {
      adAccountId = storedAdAccountId(record.adAccountId);
    } catch (error) {
      throw new InvalidRowError(history, 'ad_account_id', (error as Error).message, { cause: error });
    }
    const checkedAt = toIso(record.checkedAt ?? ctx.now());

    const row: HistoryInput = {
      client_id: clientId,
      ad_account_id: adAccountId,
      checked_at: checkedAt,
      outcome: record.outcome,
      account_status: optionalInteger(history, 'account_status', record.accountStatus),
      disable_reason: optionalInteger(history, 'disable_reason', record.disableReason),
      account_name: record.accountName ?? null,
      currency: record.currency ?? null,
      timezone_name: record.timezoneName ?? null,
      error_code: optionalInteger(history, 'error_code', record.error?.code),
      error_subcode: optionalInteger(history, 'error_subcode', record.error?.subcode),
      error_message: record.error?.message ?? null,
      fbtrace_id: record.error?.fbtraceId ?? null,
      token_fingerprint: record.tokenFingerprint ?? null,
      run_id: record.runId ?? null,
    };
    if (record.ifCurrentAccount) row.if_account = adAccountId;
    if (record.recordSyncSuccess) row.sync_success = true;
    if (Date.now() >= rpcMissingUntil) {
      const answer = await rpcBatcher.write(row);
      if (answer instanceof DbError || answer instanceof ClientSupersededError) throw answer;
      if (answer !== null) return answer;
    }
    if (row.if_account !== undefined || row.sync_success) throw needsMigration('0006');
    return recordInSteps(row);
  }

  /**
   * Migration 0004's `meta_record_validations`: history row and client columns in one transaction, and
   * the checks of concurrent jobs in one request (see write-batcher.ts). Per item: the result, a DbError
   * for an unknown client, or null when the function is not there (a database not yet migrated to 0004).
   */
  async function recordBatchWithRpc(
    rows: HistoryInput[],
  ): Promise<Array<ValidationResult | DbError | ClientSupersededError | null>> {
    // The rows hold strings, numbers and nulls only: a plain JSON.stringify (json-rpc.ts), not postgrest-js's.
    const { data, error, status } = await ctx.rpc(
      RECORD_VALIDATIONS_RPC,
      JSON.stringify({ p_records: rows }),
    );
    if (error) {
      if (isMissingFunction(error)) {
        // Not migrated yet: the four-request path, and a new try in a minute (after `pnpm db:migrate`).
        rpcMissingUntil = Date.now() + RPC_RETRY_MS;
        return rows.map(() => null);
      }
      throw toDbError(history, 'upsert', error, status);
    }
    const answers = rpcAnswers.parse(data);
    if (answers.length !== rows.length) {
      throw new DbError(
        `${RECORD_VALIDATIONS_RPC} answered ${answers.length} results for ${rows.length} checks`,
        {
          table: history,
          operation: 'upsert',
        },
      );
    }
    return answers.map((answer, index) => {
      const row = rows[index]!;
      if ('superseded' in answer) {
        return new ClientSupersededError({
          clientId: row.client_id,
          adAccountId: row.ad_account_id,
          currentAdAccountId: answer.current_ad_account_id,
          reason: answer.superseded,
          task: 'validate',
        });
      }
      if ('error' in answer) {
        return new DbError(`no client ${row.client_id}`, {
          table: clients,
          operation: 'select',
          code: 'NOT_FOUND',
        });
      }
      if ((row.if_account !== undefined || row.sync_success) && answer.guarded === undefined) {
        // 0004's function answered (it has no `guarded`): it wrote without checking the account and
        // without the sync state (the database lacks 0006).
        return needsMigration('0006');
      }
      return {
        tokenHealthStatus: answer.token_health_status,
        apiStatus: answer.api_status,
        touchLastValidation: answer.touch_last_validation,
        excludedByValidation: answer.excluded_by_validation,
        clientId: row.client_id,
        checkedAt: row.checked_at,
        previousApiStatus: answer.previous_api_status,
      };
    });
  }
  const rpcBatcher = createWriteBatcher(recordBatchWithRpc, ctx.writeBatch);

  /** Without migration 0004: four requests (read client, read previous row, upsert history, update client). */
  async function recordInSteps(row: HistoryInput): Promise<ValidationResult> {
    const { client_id: clientId, checked_at: checkedAt } = row;
    const client = await run(
      clients,
      'select',
      ctx.client.from(clients).select('api_status').eq('id', clientId).maybeSingle(),
    );
    if (client === null) {
      throw new DbError(`no client ${clientId}`, { table: clients, operation: 'select', code: 'NOT_FOUND' });
    }
    const currentApiStatus = clientStatusRow.parse(client).api_status;
    const previousRaw = await run(
      history,
      'select',
      ctx.client
        .from(history)
        .select('excluded_by_validation,api_status_after')
        .eq('client_id', clientId)
        .lt('checked_at', checkedAt)
        .order('checked_at', { ascending: false })
        .limit(1)
        .maybeSingle(),
    );
    const previous = previousRaw === null ? null : previousRow.parse(previousRaw);
    const mapped = mapValidationOutcome({
      outcome: row.outcome,
      currentApiStatus,
      previous: previous && {
        excludedByValidation: previous.excluded_by_validation,
        apiStatusAfter: previous.api_status_after,
      },
    });

    await run(
      history,
      'upsert',
      ctx.client.from(history).upsert(
        {
          ...row,
          api_status_before: currentApiStatus,
          api_status_after: mapped.apiStatus,
          token_health_status_after: mapped.tokenHealthStatus,
          excluded_by_validation: mapped.excludedByValidation,
        },
        { onConflict: 'client_id,checked_at' },
      ),
    );

    const update: Record<string, string> = {};
    if (mapped.tokenHealthStatus !== null) update.token_health_status = mapped.tokenHealthStatus;
    if (mapped.apiStatus !== currentApiStatus) update.api_status = mapped.apiStatus;
    if (mapped.touchLastValidation) update.last_token_validation = checkedAt;
    if (Object.keys(update).length > 0) {
      await run(clients, 'update', ctx.client.from(clients).update(update).eq('id', clientId));
    }
    return { ...mapped, clientId, checkedAt, previousApiStatus: currentApiStatus };
  }

  /** The client's most recent checks, newest first (for operators and tests). */
  async function listValidations(clientId: string, limit = 20): Promise<Record<string, unknown>[]> {
    const data = await run(
      history,
      'select',
      ctx.client
        .from(history)
        .select('*')
        .eq('client_id', requireUuid(history, 'client_id', clientId))
        .order('checked_at', { ascending: false })
        .limit(limit),
    );
    return data as Record<string, unknown>[];
  }

  return { recordValidation, listValidations };
}

function toIso(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidRowError(TABLES.validations, 'checked_at', `not a date: ${quote(value)}`);
  return date.toISOString();
}
