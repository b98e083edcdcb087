/**
 * @module processors/debug-token
 * Once per validation run, `debug_token` for the shared token: type, expiry and scopes go to
 * `meta_token_state` (keyed by the token's fingerprint, never the token). `ads_read` is required: a
 * token without it is recorded with the problem (status `unknown`, since Meta still accepts it for
 * calls it does not need `ads_read` for; every insights read would fail `account_fatal`).
 *
 * "Once per run" is a Redis `SET NX` key per (token fingerprint, run id); jobs without a run id share
 * one key per hour.
 */
import type { DebugTokenInfo, TokenStatus } from '@meta-engine/db';
import type { DebugTokenData } from '@meta-engine/meta-client';
import { isMetaError, shortFingerprint } from '@meta-engine/meta-client';
import type { JobRun, ProcessorContext } from './context.ts';

export const REQUIRED_SCOPES = ['ads_read'] as const;

const KEY_TTL_SECONDS = 2 * 24 * 3600;

export interface TokenAssessment {
  status: TokenStatus;
  info: DebugTokenInfo;
  problems: string[];
}

/** What to store about a `debug_token` answer (pure): only the non-secret fields, plus problems found. */
export function assessDebugToken(data: DebugTokenData, nowMs: number): TokenAssessment {
  const scopes = Array.isArray(data.scopes) ? data.scopes.filter((s) => typeof s === 'string') : [];
  const problems: string[] = [];
  if (!data.is_valid) problems.push('token is not valid');
  const missing = REQUIRED_SCOPES.filter((scope) => !scopes.includes(scope));
  for (const scope of missing) problems.push(`missing required scope ${scope}`);
  const expiresAt = typeof data.expires_at === 'number' ? data.expires_at : undefined;
  if (expiresAt !== undefined && expiresAt > 0 && expiresAt * 1000 <= nowMs) problems.push('token expired');
  const info: DebugTokenInfo = { is_valid: data.is_valid, scopes };
  if (data.type !== undefined) info.type = data.type;
  if (data.app_id !== undefined) info.app_id = data.app_id;
  if (data.application !== undefined) info.application = data.application;
  if (expiresAt !== undefined) info.expires_at = expiresAt;
  if (data.data_access_expires_at !== undefined) info.data_access_expires_at = data.data_access_expires_at;
  if (data.issued_at !== undefined) info.issued_at = data.issued_at;
  if (data.user_id !== undefined) info.user_id = data.user_id;
  info.missing_scopes = missing;
  info.problems = problems;
  const status: TokenStatus = !data.is_valid ? 'token_fatal' : problems.length > 0 ? 'unknown' : 'ok';
  return { status, info, problems };
}

/** The SET NX key of the run's token check. */
export function debugTokenKey(
  controlKeyPrefix: string,
  fingerprint: string,
  runId: string | undefined,
  nowMs: number,
): string {
  const scope = runId ? `run:${runId}` : `hour:${Math.floor(nowMs / 3_600_000)}`;
  return `${controlKeyPrefix}:debug-token:${shortFingerprint(fingerprint)}:${scope}`;
}

/**
 * Keys this process knows are taken, with until when it trusts that (per context): the key it claimed and
 * checked (for the key's lifetime), or one another job holds (briefly: that job's check may still fail and
 * release the key, and then a later job must try again). Saves the SET NX round trip of every other job.
 */
const knownTaken = new WeakMap<object, Map<string, number>>();
/** How long a key held by another job is trusted without asking Redis again. */
const HELD_ELSEWHERE_TRUST_MS = 2_000;
const MAX_KNOWN_KEYS = 1_000;

function takenUntil(ctx: ProcessorContext): Map<string, number> {
  let known = knownTaken.get(ctx);
  if (!known) {
    known = new Map();
    knownTaken.set(ctx, known);
  }
  return known;
}

function remember(ctx: ProcessorContext, key: string, untilMs: number): void {
  const known = takenUntil(ctx);
  if (known.size >= MAX_KNOWN_KEYS) known.clear();
  known.set(key, untilMs);
}

/**
 * Runs the check if no other job of this run did. A `token_fatal` error propagates (the caller pauses
 * the queues); any other failure is logged and the key released so a later job of the run tries again.
 */
export async function checkTokenOncePerRun(
  ctx: ProcessorContext,
  run: JobRun<{ runId?: string | undefined }>,
): Promise<TokenAssessment | null> {
  const now = Date.now();
  const key = debugTokenKey(ctx.controlKeyPrefix, ctx.tokenFingerprint, run.data.runId, now);
  if ((takenUntil(ctx).get(key) ?? 0) > now) return null;
  const claimed = await ctx.redis.set(key, String(run.job.id ?? ''), 'EX', KEY_TTL_SECONDS, 'NX');
  if (claimed !== 'OK') {
    remember(ctx, key, now + HELD_ELSEWHERE_TRUST_MS);
    return null;
  }
  try {
    const { data } = await ctx.meta.debugToken({ allowInvalid: true });
    const assessment = assessDebugToken(data, ctx.now().getTime());
    await ctx.repo.saveTokenState({
      fingerprint: ctx.tokenFingerprint,
      status: assessment.status === 'token_fatal' ? 'token_fatal' : assessment.status,
      debugToken: assessment.info,
      pausedReason: assessment.status === 'token_fatal' ? 'debug_token: is_valid false' : null,
    });
    if (assessment.problems.length > 0) {
      run.log.error({ problems: assessment.problems }, 'debug_token found problems with the shared token');
    } else {
      run.log.info({ type: assessment.info.type, scopes: assessment.info.scopes }, 'debug_token: token ok');
    }
    remember(ctx, key, now + KEY_TTL_SECONDS * 1000);
    return assessment;
  } catch (error) {
    if (isMetaError(error) && error.category === 'token_fatal') throw error;
    await ctx.redis.del(key).catch(() => 0);
    run.log.warn({ err: error }, 'debug_token check failed; a later job of the run will retry it');
    return null;
  }
}
