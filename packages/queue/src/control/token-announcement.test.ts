/**
 * Token announcements on real Redis: the compare-and-set record, the pub/sub wake-up of a follower, the
 * poll that finds an announcement whose message was missed, and ordered, non-overlapping deliveries.
 */
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';
import {
  type AnnouncementFollower,
  announceToken,
  followTokenAnnouncements,
  readTokenAnnouncement,
  type TokenAnnouncement,
  tokenAnnouncementKey,
} from './token-announcement.ts';

const fp = (token: string) => createHmac('sha256', 'test-key').update(token).digest('hex');

let redis: Redis;
let base: string;
const followers: AnnouncementFollower[] = [];

beforeAll(() => {
  redis = testRedis();
  base = randomPrefix('announce');
});

afterAll(async () => {
  for (const follower of followers) await follower.close();
  await deleteKeys(redis, base);
  await redis.quit();
});

/** A follower whose deliveries can be awaited one by one. */
async function follow(keyPrefix: string, pollIntervalMs: number) {
  const seen: TokenAnnouncement[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const follower = await followTokenAnnouncements({
    redis,
    keyPrefix,
    pollIntervalMs,
    onAnnouncement: async (announcement) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(announcement);
      inFlight--;
      for (const waiter of [...waiters]) {
        if (seen.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
  });
  followers.push(follower);
  const delivered = (count: number) =>
    seen.length >= count
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { follower, seen, delivered, maxInFlight: () => maxInFlight };
}

describe('announceToken', () => {
  it('records the newest fingerprint once, returning what it replaced', async () => {
    const store = { redis, keyPrefix: `${base}:a:control` };
    expect(await readTokenAnnouncement(store)).toBeNull();
    expect(await announceToken({ ...store, fingerprint: fp('one'), by: 'worker 1@a' })).toEqual({
      changed: true,
      previous: null,
    });
    expect(await announceToken({ ...store, fingerprint: fp('one'), by: 'worker 2@b' })).toEqual({
      changed: false,
      previous: fp('one'),
    });
    expect(await announceToken({ ...store, fingerprint: fp('two'), by: 'producer 3@c' })).toEqual({
      changed: true,
      previous: fp('one'),
    });
    const record = await readTokenAnnouncement(store);
    expect(record).toMatchObject({ fingerprint: fp('two'), by: 'producer 3@c' });
    expect(record!.at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses anything but a fingerprint (a token must never be announced)', async () => {
    const store = { redis, keyPrefix: `${base}:b:control` };
    await expect(announceToken({ ...store, fingerprint: 'EAAthis-is-a-token', by: 'x' })).rejects.toThrow(
      'not a token fingerprint',
    );
    expect(await redis.exists(tokenAnnouncementKey(store.keyPrefix))).toBe(0);
  });
});

describe('followTokenAnnouncements', () => {
  it('delivers the current announcement at start, then each new one through pub/sub', async () => {
    const keyPrefix = `${base}:c:control`;
    await announceToken({ redis, keyPrefix, fingerprint: fp('one'), by: 'worker 1@a' });
    // No poll: only the message can deliver the second one.
    const { seen, delivered, maxInFlight } = await follow(keyPrefix, 0);
    expect(seen.map((a) => a.fingerprint)).toEqual([fp('one')]);

    await announceToken({ redis, keyPrefix, fingerprint: fp('two'), by: 'worker 2@b' });
    await delivered(2);
    await announceToken({ redis, keyPrefix, fingerprint: fp('three'), by: 'worker 3@c' });
    await delivered(3);
    expect(seen.map((a) => a.fingerprint)).toEqual([fp('one'), fp('two'), fp('three')]);
    expect(maxInFlight()).toBe(1);
  });

  it('finds an announcement whose message it missed by polling the key', async () => {
    const keyPrefix = `${base}:d:control`;
    const { seen, delivered } = await follow(keyPrefix, 25);
    expect(seen).toEqual([]);
    // Written without a PUBLISH, as if the message had been lost during a reconnect.
    await redis.hset(tokenAnnouncementKey(keyPrefix), { fingerprint: fp('quiet'), at: '1', by: 'test' });
    await delivered(1);
    expect(seen[0]).toEqual({ fingerprint: fp('quiet'), at: 1, by: 'test' });
  });

  it('stops delivering after close', async () => {
    const keyPrefix = `${base}:e:control`;
    const closing = await follow(keyPrefix, 0);
    const control = await follow(keyPrefix, 0);
    await closing.follower.close();
    await announceToken({ redis, keyPrefix, fingerprint: fp('late'), by: 'worker 1@a' });
    await control.delivered(1);
    expect(closing.seen).toEqual([]);
  });
});
