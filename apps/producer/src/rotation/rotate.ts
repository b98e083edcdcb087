/**
 * @module rotate
 * Token rotation. On `serve` start, on `producer rotate` / `POST /api/rotation`, and when any process
 * announces a new token through Redis (rotation/rotation-follower.ts):
 *
 * 1. compare the token's fingerprint (the configured token's, or the announced one) with the stored token
 *    state: the fingerprint the producer last rotated to, or (without that record, e.g. a fresh Redis) the
 *    database's current row;
 * 2. when it changed (or the rotation is explicit): fan out a full re-validation of every client with the
 *    rotation priority, ahead of queued work (pending validate jobs are raised to that priority too);
 * 3. resume the queues paused for a token-fatal reason (after the re-validation is queued, so it is the
 *    first thing the workers see);
 * 4. record the new fingerprint (after the work, so a crash before it makes the next start try again);
 * 5. announce it (`announce`), so every worker compares its own token with it.
 *
 * Once per token, however many producers and workers saw it: a Redis lock (`<controlPrefix>:rotation-lock`)
 * lets one producer rotate at a time (the others report `in-progress` and do nothing), and the one holding
 * it reads the last rotation again before working, so a producer that compared just before another one
 * finished does not rotate a second time. Only an explicit rotation (`force`) repeats one.
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import type { RedisClient } from '@meta-engine/queue';
import type { Logger } from 'pino';
import type { FanoutResult } from '../fanout/fan-out.ts';
import { newRunId } from '../fanout/run-id.ts';
import type { PauseControl, TokenStateStore } from '../ports.ts';

export interface RotationDeps {
  redis: RedisClient;
  /** Base of control keys (`meta:control`): the lock is `<controlPrefix>:rotation-lock`. */
  controlPrefix: string;
  tokenState: TokenStateStore;
  pauses: PauseControl;
  /** Fans out a re-validation of every eligible client as `runId` with the rotation trigger. */
  revalidateAll: (runId: string) => Promise<FanoutResult>;
  /** The fingerprint to rotate to: the configured token's, or the one a process announced. */
  fingerprint: string;
  /** Tells every process the token rotated to (token announcement); a failure is logged, not thrown. */
  announce?: ((fingerprint: string) => Promise<unknown>) | undefined;
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
  const fingerprint = deps.fingerprint;
  const previousRotation = async () => {
    const [latest, rotatedTo] = await Promise.all([
      deps.tokenState.latest(),
      deps.tokenState.lastRotatedFingerprint(),
    ]);
    // The producer's own record wins: the worker may already have written a row for a new token.
    return rotatedTo ?? latest?.fingerprint ?? null;
  };
  if ((await previousRotation()) === fingerprint && !options.force)
    return { status: 'unchanged', fingerprint };

  const lockKey = `${deps.controlPrefix}:rotation-lock`;
  const lockValue = `${process.pid}-${now().getTime()}-${Math.random()}`;
  const locked = await deps.redis.set(lockKey, lockValue, 'PX', LOCK_MS, 'NX');
  if (locked !== 'OK') return { status: 'in-progress', fingerprint };
  try {
    // Another producer may have finished this very rotation between the check above and the lock.
    const previous = await previousRotation();
    if (previous === fingerprint && !options.force) return { status: 'unchanged', fingerprint };
    const runId = newRunId('validate', 'rotation', now());
    deps.logger?.info(
      { runId, from: shortFingerprint(previous), to: shortFingerprint(fingerprint), explicit: options.force },
      'token rotation: re-validating every client',
    );
    const run = await deps.revalidateAll(runId);
    const resumedQueues = await deps.pauses.resumeTokenFatal();
    await deps.tokenState.recordRotation(fingerprint, now());
    if (deps.announce) {
      await deps
        .announce(fingerprint)
        .catch((error: unknown) =>
          deps.logger?.warn(
            { err: error },
            'could not announce the rotated token (workers learn it at their next check)',
          ),
        );
    }
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
