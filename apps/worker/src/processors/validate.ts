/**
 * @module processors/validate
 * `validate`: read the client's ad account (`account_status`, `disable_reason`, name, currency, time
 * zone) and record the outcome in the validation history and on the client (`recordValidation`; the
 * mapping to `token_health_status` / `api_status` / `last_token_validation` is the db package's):
 *
 * | Meta answer                                                      | outcome            | job             |
 * | ---------------------------------------------------------------- | ------------------ | --------------- |
 * | account read, `account_status` 1 or 9                            | `active`           | completed       |
 * | account read, any other status (2, 3, 7, 8, 100, 101, 201, 202…) | `account_inactive` | completed       |
 * | `account_fatal`: 100/33, 10, 200–299, 100/3191001                | `no_access`        | failed, no retry |
 * | `token_fatal`: 190 (463: expired), 102, 104                       | `token_invalid` / `token_expired` | handed back, queues paused |
 * | retries exhausted, request bug, data too large                    | `check_failed`     | failed          |
 * | malformed ad account id                                          | (sync state only)  | failed, no retry |
 * | the client no longer has the account, is paused or deleted        | nothing recorded   | completed, `superseded` |
 *
 * Every record is guarded (`ifCurrentAccount`): the database writes it only while the client still has
 * the job's ad account, in the same request (issue 12.1). The history row and the validate task's sync
 * success are one write, so a job re-run after an outage records its check once.
 *
 * Once per run it also checks the shared token with `debug_token` (see debug-token.ts).
 */
import type { ValidationOutcome, ValidationRecord, ValidationResult } from '@meta-engine/db';
import { AD_ACCOUNT_LIST_FIELDS, type AdAccount, type MetaError } from '@meta-engine/meta-client';
import type { ValidateJobData } from '@meta-engine/queue';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { BUC } from '../buc.ts';
import type { JobRun, Processor, ProcessorContext } from './context.ts';
import { checkTokenOncePerRun } from './debug-token.ts';
import { type FailureSummary, handleJobFailure, runIdOf } from './failures.ts';
import { startRun } from './job-run.ts';
import { acquireSlot } from './slots.ts';

/** Fields read from `act_<id>`: who the account is and whether it can be used (meta-client's list set). */
export const VALIDATE_FIELDS = AD_ACCOUNT_LIST_FIELDS;

/** `account_status` values that count as active: 1 ACTIVE, 9 IN_GRACE_PERIOD. */
const ACTIVE_STATUSES: ReadonlySet<number> = new Set([1, 9]);

/** `active` or `account_inactive` from Meta's `account_status` (pure). */
export function outcomeForAccountStatus(status: number | undefined): 'active' | 'account_inactive' {
  return status !== undefined && ACTIVE_STATUSES.has(status) ? 'active' : 'account_inactive';
}

/** `token_expired` for 190/463, `token_invalid` for every other token-fatal error (pure). */
export function outcomeForTokenError(
  error: Pick<MetaError, 'code' | 'subcode'>,
): 'token_invalid' | 'token_expired' {
  return error.code === 190 && error.subcode === 463 ? 'token_expired' : 'token_invalid';
}

/** Records one validation outcome for the running job. */
type Recorder = (outcome: ValidationOutcome, extra?: Partial<ValidationRecord>) => Promise<ValidationResult>;

export interface ValidateResult {
  outcome: 'active' | 'account_inactive';
  accountStatus: number | null;
  apiStatus: string;
}

export function createValidateProcessor(ctx: ProcessorContext): Processor {
  return async (job: Job, token: string | undefined, log: Logger) => {
    const run = await startRun(ctx, 'validate', job, token, log);
    const errorOf = (summary: FailureSummary, error?: MetaError) => ({
      code: summary.code,
      subcode: summary.subcode,
      message: summary.message,
      fbtraceId: error?.fbtraceId ?? null,
    });
    const record: Recorder = (outcome, extra = {}) =>
      ctx.repo.recordValidation({
        clientId: run.clientId,
        adAccountId: run.adAccountId,
        outcome,
        checkedAt: ctx.now(),
        tokenFingerprint: ctx.tokenFingerprint,
        runId: runIdOf(run),
        ifCurrentAccount: true,
        ...extra,
      });
    try {
      await checkTokenOncePerRun(ctx, run);
      return await validateAccount(ctx, run, record);
    } catch (error) {
      return handleJobFailure(ctx, run, error, {
        onAccountFatal: async (metaError, summary) => {
          await record('no_access', { error: errorOf(summary, metaError) });
        },
        onTokenFatal: async (metaError, summary) => {
          await record(outcomeForTokenError(metaError), { error: errorOf(summary, metaError) });
        },
        onGivingUp: async (summary) => {
          await record('check_failed', { error: errorOf(summary) });
        },
      });
    }
  };
}

async function validateAccount(
  ctx: ProcessorContext,
  run: JobRun<ValidateJobData>,
  record: Recorder,
): Promise<ValidateResult> {
  const slot = await acquireSlot(ctx, run, BUC.management);
  let account: AdAccount;
  try {
    ({ data: account } = await ctx.meta.getAdAccount(run.adAccountId, VALIDATE_FIELDS));
  } finally {
    await slot.release();
  }
  const outcome = outcomeForAccountStatus(account.account_status);
  const result = await record(outcome, {
    accountStatus: account.account_status ?? null,
    disableReason: account.disable_reason ?? null,
    accountName: account.name ?? null,
    currency: account.currency ?? null,
    timezoneName: account.timezone_name ?? null,
    recordSyncSuccess: true,
  });
  run.log.info(
    { outcome, accountStatus: account.account_status, apiStatus: result.apiStatus },
    'ad account validated',
  );
  return { outcome, accountStatus: account.account_status ?? null, apiStatus: result.apiStatus };
}
