/**
 * @module rotate
 * Token rotation. On `serve` start and on `producer rotate` / `POST /api/rotation`:
 *
 * 1. fingerprint the configured token and compare it with the stored token state: the fingerprint the
 *    producer last rotated to, or (without that record, e.g. a fresh Redis) the database's current row;
 * 2. when it changed (or the rotation is explicit): fan out a full re-validation of every client with the
 *    rotation priority, ahead of queued work (pending validate jobs are raised to that priority too);
 * 3. resume the queues paused for a token-fatal reason (after the re-validation is queued, so it is the
 *    first thing the workers see);
 * 4. record the new fingerprint (last, so a crash before it makes the next start try again).
 *
 * A short Redis lock (`<controlPrefix>:rotation-lock`) keeps two producers starting together from
 * rotating twice; the one that loses reports `in-progress` and does nothing.
 */
import type { RedisClient } from '@meta-engine/queue';
import type { Logger } from 'pino';
import type { FanoutResult } from '../fanout/fan-out.ts';
import { newRunId } from '../fanout/run-id.ts';
import type { PauseControl, TokenStateStore } from '../ports.ts';
import { shortFingerprint, tokenFingerprint } from './fingerprint.ts';

export interface RotationDeps {
  redis: RedisClient;
  /** Base of control keys (`meta:control`): the lock is `<controlPrefix>:rotation-lock`. */
  controlPrefix: string;
  tokenState: TokenStateStore;
  pauses: PauseControl;
  /** Fans out a re-validation of every eligible client as `runId` with the rotation trigger. */
  revalidateAll: (runId: string) => Promise<FanoutResult>;
  fingerprintKey: string;
  token: string;
  logger?: Logger | undefined;
  now?: () => Date;
}

export type RotationOutcome =
  | { status: 'unchanged'; fingerprint: string }
  | { status: 'in-progress'; fingerprint: string }
  | {
      status: 'rotated';
      fingerprint: string;
      previousFingerprint: string | null;
      explicit: boolean;
      runId: string;
      created: number;
      skipped: number;
      resumedQueues: string[];
    };

const LOCK_MS = 120_000;

export async function rotateIfChanged(
  deps: RotationDeps,
  options: { force: boolean },
): Promise<RotationOutcome> {
  const now = deps.now ?? (() => new Date());
  const fingerprint = tokenFingerprint(deps.fingerprintKey, deps.token);
  const [latest, rotatedTo] = await Promise.all([
    deps.tokenState.latest(),
    deps.tokenState.lastRotatedFingerprint(),
  ]);
  // The producer's own record wins: the worker may already have written a row for a new token.
  const previous = rotatedTo ?? latest?.fingerprint ?? null;
  if (previous === fingerprint && !options.force) return { status: 'unchanged', fingerprint };

  const lockKey = `${deps.controlPrefix}:rotation-lock`;
  const lockValue = `${process.pid}-${now().getTime()}-${Math.random()}`;
  const locked = await deps.redis.set(lockKey, lockValue, 'PX', LOCK_MS, 'NX');
  if (locked !== 'OK') return { status: 'in-progress', fingerprint };
  try {
    const runId = newRunId('validate', 'rotation', now());
    deps.logger?.info(
      { runId, from: shortFingerprint(previous), to: shortFingerprint(fingerprint), explicit: options.force },
      'token rotation: re-validating every client',
    );
    const run = await deps.revalidateAll(runId);
    const resumedQueues = await deps.pauses.resumeTokenFatal();
    await deps.tokenState.recordRotation(fingerprint, now());
    deps.logger?.info(
      { runId, resumedQueues, created: run.created, skipped: run.skipped },
      'token rotation done',
    );
    return {
      status: 'rotated',
      fingerprint,
      previousFingerprint: previous,
      explicit: options.force,
      runId,
      created: run.created,
      skipped: run.skipped,
      resumedQueues,
    };
  } finally {
    // Release only our own lock.
    await deps.redis
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        lockKey,
        lockValue,
      )
      .catch(() => {});
  }
}
