/**
 * @module token/token-follower
 * Keeps one worker process in step with a token rotation, without a restart:
 *
 * - **Its own token changes** (the token source re-read META_ACCESS_TOKEN_FILE): from the next Meta call on
 *   the new token is used (meta-client reads it per request); the worker announces the new fingerprint
 *   through Redis, so every other process learns within seconds that a new token exists (the producer
 *   then re-validates everyone once and lifts the token-fatal pause).
 * - **Another process announced a token this worker does not have**: it re-reads its file at once (its
 *   watch may have missed the change, or its copy of a Kubernetes secret is not updated yet). Still
 *   different: it is *behind*. It says so (once per announcement) and holds its queues (stops fetching;
 *   jobs in flight finish, or come back through the token-fatal hand-back) until its token catches up, so
 *   a revoked token is not tried on fresh jobs while the queues are resumed for everyone else.
 * - **A token-fatal answer to a call made with a superseded token** (the token changed during the job,
 *   or it differs from the announced one) is not a reason to pause every queue again: `isSuperseded` tells
 *   the failure handler to hand the job back for a retry with the current token instead.
 *
 * At start the worker only compares (a process starting with an old token must not undo a rotation);
 * announcing is for tokens seen changing, and the producer's rotation announces the token it rotated to.
 *
 * @example
 * const follower = createTokenFollower({ token, redis, controlKeyPrefix, app, logger, metrics, by });
 * await follower.start();
 * ...
 * await follower.close();
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import {
  type AnnouncementFollower,
  announceToken,
  followTokenAnnouncements,
  type RedisClient,
  readTokenAnnouncement,
  type TokenAnnouncement,
} from '@meta-engine/queue';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import type { WorkerToken } from './worker-token.ts';

/** What the follower needs of the worker app: its BullMQ workers, to hold and release them. */
export interface HoldableApp {
  readonly workers: Readonly<Partial<Record<string, Worker>>>;
  isClosing(): boolean;
}

export interface TokenFollowerOptions {
  token: WorkerToken;
  redis: RedisClient;
  /** `meta:control` for the queue prefix (`controlKeyPrefixFor`). */
  controlKeyPrefix: string;
  app: HoldableApp;
  logger: Logger;
  metrics?: Pick<WorkerMetrics, 'tokenBehind' | 'tokenSwitches'>;
  /** Who announces (`worker <pid>@<host>`): shown to the operator, never a secret. */
  by: string;
  /** How often the announcement key is read in case a message was missed (default 10 s). */
  pollIntervalMs?: number;
}

export interface TokenFollower {
  start(): Promise<void>;
  /**
   * True when a token-fatal answer to a call made with `fingerprint` belongs to a superseded token: it is
   * not this worker's current token, or another token has been announced. Reads the announcement from
   * Redis (not a cached copy); when Redis cannot say, false (the error is treated as the real thing).
   */
  isSuperseded(fingerprint: string): Promise<boolean>;
  /** Whether the worker holds its queues because its token is behind the announced one. */
  isBehind(): boolean;
  /** The announced fingerprint last seen, or null. */
  announced(): string | null;
  close(): Promise<void>;
}

export function createTokenFollower(options: TokenFollowerOptions): TokenFollower {
  const { token, logger } = options;
  const store = { redis: options.redis, keyPrefix: options.controlKeyPrefix };
  let announced: TokenAnnouncement | null = null;
  /** A token this process saw changing and has not yet announced (a failed announce is retried). */
  let unannounced: string | null = null;
  let held: Worker[] = [];
  let behind = false;
  let behindNoted: string | null = null;
  let retry: NodeJS.Timeout | undefined;
  let follower: AnnouncementFollower | undefined;
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  /** Serialises the reactions (a token change and an announcement arriving together). */
  const serially = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch((error: unknown) => {
      logger.warn(
        { err: error },
        'token follower: could not act on a token change (retried at the next check)',
      );
    });
    return chain;
  };

  const hold = async () => {
    behind = true;
    if (held.length > 0 || options.app.isClosing()) return;
    const workers = Object.values(options.app.workers).filter((w): w is Worker => w !== undefined);
    held = workers;
    await Promise.all(workers.map((worker) => worker.pause(true)));
    options.metrics?.tokenBehind.set(1);
  };

  const release = async () => {
    behind = false;
    if (held.length === 0) return;
    const workers = held;
    held = [];
    options.metrics?.tokenBehind.set(0);
    if (options.app.isClosing()) return;
    await Promise.all(workers.map((worker) => worker.resume()));
  };

  const announceOwn = async () => {
    const fingerprint = unannounced;
    if (!fingerprint) return;
    const result = await announceToken({ ...store, fingerprint, by: options.by });
    unannounced = null;
    if (result.changed) {
      announced = { fingerprint, at: Date.now(), by: options.by };
      logger.info(
        { fingerprint: shortFingerprint(fingerprint), previous: shortFingerprint(result.previous) },
        'announced the new Meta token to every process',
      );
    }
  };

  /** Compares this worker's token with the announced one and holds or releases the queues. */
  const reconcile = async () => {
    if (closed) return;
    await announceOwn();
    const own = token.fingerprint();
    if (!announced || announced.fingerprint === own) {
      if (behind) {
        logger.info(
          { fingerprint: shortFingerprint(own) },
          'Meta token caught up with the announced one: queues released',
        );
      }
      behindNoted = null;
      await release();
      return;
    }
    // Its watch may have missed the change: look at the file once more before calling it behind.
    if (await token.source.reload()) return; // the change handler reconciles again
    const target = announced.fingerprint;
    if (behindNoted !== target) {
      behindNoted = target;
      logger.warn(
        {
          own: shortFingerprint(own),
          announced: shortFingerprint(target),
          announcedBy: announced.by,
          tokenFile: token.source.file ?? null,
        },
        token.source.file
          ? "this worker's Meta token is behind the announced one: holding its queues until META_ACCESS_TOKEN_FILE holds the new token"
          : "this worker's Meta token is behind the announced one: holding its queues; restart it with the new META_ACCESS_TOKEN",
      );
    }
    await hold();
  };

  const onTokenChange = () =>
    void serially(async () => {
      const fingerprint = token.fingerprint();
      options.metrics?.tokenSwitches.inc();
      logger.info(
        { fingerprint: shortFingerprint(fingerprint) },
        'Meta token switched: the next calls use the new token (no restart)',
      );
      if (announced?.fingerprint !== fingerprint) unannounced = fingerprint;
      await reconcile();
    });

  return {
    async start() {
      unsubscribe = token.source.onChange(onTokenChange);
      follower = await followTokenAnnouncements({
        ...store,
        pollIntervalMs: options.pollIntervalMs ?? 10_000,
        onAnnouncement: (announcement) =>
          serially(async () => {
            announced = announcement;
            await reconcile();
          }),
        onError: (error) => logger.debug({ err: error }, 'token announcements: redis error'),
      });
      token.source.watch();
      // A new token whose announcement failed (Redis unreachable at that moment) is announced later.
      retry = setInterval(() => {
        if (unannounced) void serially(reconcile);
      }, options.pollIntervalMs ?? 10_000);
      retry.unref();
    },
    async isSuperseded(fingerprint) {
      if (fingerprint !== token.fingerprint()) return true;
      try {
        const latest = await readTokenAnnouncement(store);
        return latest !== null && latest.fingerprint !== fingerprint;
      } catch {
        return false;
      }
    },
    isBehind: () => behind,
    announced: () => announced?.fingerprint ?? null,
    async close() {
      if (closed) return;
      closed = true;
      if (retry) clearInterval(retry);
      unsubscribe?.();
      token.source.close();
      await follower?.close();
      await chain;
    },
  };
}
