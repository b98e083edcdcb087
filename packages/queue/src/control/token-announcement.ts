/**
 * @module token-announcement
 * How every process learns, within seconds, that some process has seen a new token: the new token's
 * fingerprint (never the token) is announced through Redis. A key holds the latest announcement, so a
 * process that starts later or missed a message still finds it; a pub/sub message wakes the others at
 * once; a poll of the key covers a subscription that was reconnecting.
 *
 * Key: `<controlPrefix>:token` (default `meta:control:token`), a hash:
 *   fingerprint   the announced token's fingerprint (HMAC, hex)
 *   at            when it was announced (ms since the epoch, Redis time)
 *   by            who announced it (`worker 1234@host`, `producer 99@host`): for the operator
 * Channel: the same name; a message is the fingerprint.
 *
 * Both work on a Redis Cluster: one key (one slot) per script; PUBLISH reaches every node's subscribers.
 *
 * @example
 * await announceToken(redis, { keyPrefix, fingerprint, by: `worker ${process.pid}` });
 * const follower = await followTokenAnnouncements({ redis, keyPrefix, pollIntervalMs: 10_000,
 *   onAnnouncement: ({ fingerprint }) => compareWithMine(fingerprint) });
 * await follower.close();
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from '../lua/loader.ts';
import { DEFAULT_CONTROL_KEY_PREFIX } from './pause.ts';

export interface TokenAnnouncement {
  fingerprint: string;
  /** ms since the epoch (Redis time). */
  at: number;
  by: string;
}

export interface AnnouncementStore {
  redis: RedisClient;
  /** Default `meta:control` (see `controlKeyPrefixFor`). */
  keyPrefix?: string;
}

/** A fingerprint as `tokenFingerprint` makes it (HMAC-SHA256, hex); anything else is refused. */
const FINGERPRINT = /^[0-9a-f]{16,128}$/;

export function tokenAnnouncementKey(keyPrefix: string = DEFAULT_CONTROL_KEY_PREFIX): string {
  return `${keyPrefix}:token`;
}

/**
 * KEYS[1] the announcement hash; ARGV[1] fingerprint, ARGV[2] by.
 * Sets the announcement unless it already holds this fingerprint. Returns {1 if it changed, previous
 * fingerprint or ''}. Time from Redis (`TIME`), so every process's announcements order alike.
 */
const ANNOUNCE_LUA = `
local previous = redis.call('HGET', KEYS[1], 'fingerprint')
if previous == ARGV[1] then return {0, previous} end
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'at', at, 'by', ARGV[2])
return {1, previous or ''}
`;

/**
 * Announces `fingerprint` as the newest token: records it and publishes it when it differs from the
 * recorded one. Returns whether it changed and the previous fingerprint (null before any).
 */
export async function announceToken(
  store: AnnouncementStore & { fingerprint: string; by: string },
): Promise<{ changed: boolean; previous: string | null }> {
  if (!FINGERPRINT.test(store.fingerprint)) throw new Error('announceToken: not a token fingerprint');
  const key = tokenAnnouncementKey(store.keyPrefix);
  const by = store.by.replace(/[^\x20-\x7e]/g, '').slice(0, 120);
  const [changed, previous] = (await store.redis.eval(ANNOUNCE_LUA, 1, key, store.fingerprint, by)) as [
    number,
    string,
  ];
  if (changed === 1) await store.redis.publish(key, store.fingerprint);
  return { changed: changed === 1, previous: previous === '' ? null : previous };
}

/** The latest announcement, or null before any. */
export async function readTokenAnnouncement(store: AnnouncementStore): Promise<TokenAnnouncement | null> {
  const [fingerprint, at, by] = await store.redis.hmget(
    tokenAnnouncementKey(store.keyPrefix),
    'fingerprint',
    'at',
    'by',
  );
  if (!fingerprint || !FINGERPRINT.test(fingerprint)) return null;
  return { fingerprint, at: Number(at ?? 0), by: by ?? '' };
}

export interface FollowOptions extends AnnouncementStore {
  /** Read the key this often whatever pub/sub says (a message lost during a reconnect). 0 = never. */
  pollIntervalMs: number;
  /**
   * Called with the latest announcement: once at start when there is one, then each time its fingerprint
   * changes. Calls never overlap; a call that throws is reported to `onError` and the next check retries.
   */
  onAnnouncement: (announcement: TokenAnnouncement) => void | Promise<void>;
  onError?: (error: unknown) => void;
}

export interface AnnouncementFollower {
  /** Reads the key now and delivers a new announcement (what a message or the poll does). */
  check(): Promise<void>;
  /** The fingerprint last delivered, or null. */
  latest(): string | null;
  close(): Promise<void>;
}

/**
 * Follows the announcements: subscribes on a connection of its own (a duplicate of `redis`: a subscribed
 * connection can run nothing else), reads the key at start, on every message, after every reconnect and
 * every `pollIntervalMs`.
 */
export async function followTokenAnnouncements(options: FollowOptions): Promise<AnnouncementFollower> {
  const key = tokenAnnouncementKey(options.keyPrefix);
  const report = (error: unknown) => options.onError?.(error);
  let delivered: string | null = null;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const deliverLatest = async () => {
    if (closed) return;
    const announcement = await readTokenAnnouncement(options);
    if (!announcement || announcement.fingerprint === delivered || closed) return;
    await options.onAnnouncement(announcement);
    delivered = announcement.fingerprint;
  };
  /** One delivery at a time, in order; errors go to onError and leave `delivered` as it was. */
  const check = (): Promise<void> => {
    chain = chain.then(deliverLatest).catch(report);
    return chain;
  };

  const subscriber = subscriberFor(options.redis);
  subscriber.on('error', report);
  subscriber.on('message', (channel: string) => {
    if (channel === key) void check();
  });
  // A reconnect re-subscribes by itself; what was published meanwhile is read from the key.
  subscriber.on('ready', () => void check());
  try {
    await subscriber.subscribe(key);
  } catch (error) {
    subscriber.disconnect();
    throw error;
  }
  await check();
  const poll =
    options.pollIntervalMs > 0 ? setInterval(() => void check(), options.pollIntervalMs) : undefined;
  poll?.unref();

  return {
    check,
    latest: () => delivered,
    async close() {
      if (closed) return;
      closed = true;
      if (poll) clearInterval(poll);
      await chain;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

/** A connection for SUBSCRIBE like `redis` (same servers, credentials, TLS), queuing commands until ready. */
function subscriberFor(redis: RedisClient): RedisClient {
  if (redis instanceof Cluster) return redis.duplicate([], { enableOfflineQueue: true });
  return redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
}
