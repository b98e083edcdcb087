/**
 * @module rotation/rotation-follower
 * What `serve` adds so that a token rotation needs no restart and its re-validation runs once:
 *
 * - the producer's own token file is watched (runtime's token source; `SIGHUP` re-reads it): a new token
 *   is announced through Redis like a worker announces one (only its fingerprint travels);
 * - every announcement, from any process, is followed: when the announced fingerprint is not the one last
 *   rotated to, the producer rotates to it (`runtime.rotate({ fingerprint })`: re-validate every client
 *   ahead of queued work, lift the token-fatal pause, record, announce). The producer needs no token for
 *   that: the workers validate with their own;
 * - the check also runs every TOKEN_POLL_INTERVAL_MS, for a message missed during a reconnect and for a
 *   rotation another producer was running (`in-progress`) that must be looked at again.
 *
 * Once per token, however many producers follow and however many workers announced: `rotate` takes the
 * rotation lock and reads the last rotation again under it (rotation/rotate.ts).
 *
 * @example
 * const follower = createRotationFollower({ ... });
 * await follower.start();
 * await follower.close();
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import {
  type AnnouncementFollower,
  announceToken,
  followTokenAnnouncements,
  type RedisClient,
  readTokenAnnouncement,
} from '@meta-engine/queue';
import type { TokenSource } from '@meta-engine/runtime';
import type { Logger } from 'pino';
import type { RotationOutcome } from './rotate.ts';

export interface RotationFollowerDeps {
  redis: RedisClient;
  /** `meta:control` for the queue prefix. */
  controlPrefix: string;
  /** The producer's configured token, or null without one (then it only follows announcements). */
  tokens: TokenSource | null;
  configuredFingerprint: () => string | null;
  lastRotatedFingerprint: () => Promise<string | null>;
  rotate: (options: { force: boolean; fingerprint?: string }) => Promise<RotationOutcome>;
  logger: Logger;
  /** Who announces (`producer <pid>@<host>`). */
  by: string;
  pollIntervalMs: number;
  /** Re-read the token file on this signal (serve: `SIGHUP`). */
  reloadSignal?: NodeJS.Signals | undefined;
  /** Called with every rotation this follower ran (tests, the CLI's output). */
  onRotation?: (outcome: RotationOutcome & { status: 'rotated' }) => void;
}

export interface RotationFollower {
  start(): Promise<void>;
  /** Compares the announced token with the last rotation now and rotates when they differ. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function createRotationFollower(deps: RotationFollowerDeps): RotationFollower {
  const { logger } = deps;
  const store = { redis: deps.redis, keyPrefix: deps.controlPrefix };
  let chain: Promise<void> = Promise.resolve();
  let follower: AnnouncementFollower | undefined;
  let unsubscribe: (() => void) | undefined;
  let poll: NodeJS.Timeout | undefined;
  /** The announced fingerprint this follower has seen rotated (or found already rotated). */
  let settled: string | null = null;
  let differenceNoted: string | null = null;
  let closed = false;

  const serially = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch((error: unknown) => {
      logger.error({ err: error }, 'token rotation failed; tried again at the next check');
    });
    return chain;
  };

  const reconcile = async () => {
    if (closed) return;
    const announced = await readTokenAnnouncement(store);
    if (!announced || announced.fingerprint === settled) return;
    const own = deps.configuredFingerprint();
    if (own !== null && own !== announced.fingerprint && differenceNoted !== announced.fingerprint) {
      differenceNoted = announced.fingerprint;
      logger.warn(
        { own: shortFingerprint(own), announced: shortFingerprint(announced.fingerprint), by: announced.by },
        "this producer's configured token is not the announced one (it rotates to the announced one; update its META_ACCESS_TOKEN_FILE or environment)",
      );
    }
    if ((await deps.lastRotatedFingerprint()) === announced.fingerprint) {
      settled = announced.fingerprint;
      return;
    }
    const outcome = await deps.rotate({ force: false, fingerprint: announced.fingerprint });
    if (outcome.status === 'in-progress') {
      logger.info(
        { fingerprint: shortFingerprint(announced.fingerprint) },
        'another producer is rotating to the announced token; checking again later',
      );
      return;
    }
    settled = announced.fingerprint;
    if (outcome.status === 'rotated') {
      logger.info(
        {
          fingerprint: shortFingerprint(outcome.fingerprint),
          announcedBy: announced.by,
          runId: outcome.runId,
          resumedQueues: outcome.resumedQueues,
        },
        'rotated to the announced token without a restart',
      );
      deps.onRotation?.(outcome);
    }
  };

  const onOwnTokenChange = () =>
    void serially(async () => {
      const fingerprint = deps.configuredFingerprint();
      if (!fingerprint) return;
      const { changed } = await announceToken({ ...store, fingerprint, by: deps.by });
      logger.info(
        { fingerprint: shortFingerprint(fingerprint), announced: changed },
        "the producer's token file holds a new token",
      );
      await reconcile();
    });

  return {
    async start() {
      if (deps.tokens) unsubscribe = deps.tokens.onChange(onOwnTokenChange);
      follower = await followTokenAnnouncements({
        ...store,
        pollIntervalMs: 0, // the poll below reconciles, which also reads the key
        onAnnouncement: () => serially(reconcile),
        onError: (error) => logger.debug({ err: error }, 'token announcements: redis error'),
      });
      poll = setInterval(() => void serially(reconcile), deps.pollIntervalMs);
      poll.unref();
      deps.tokens?.watch({ reloadSignal: deps.reloadSignal });
    },
    check: () => serially(reconcile),
    async close() {
      if (closed) return;
      closed = true;
      if (poll) clearInterval(poll);
      unsubscribe?.();
      await follower?.close();
      await chain;
    },
  };
}
