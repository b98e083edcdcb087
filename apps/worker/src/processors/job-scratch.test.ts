import { describe, expect, it } from 'vitest';
import { jobScratch } from './job-scratch.ts';

/** A hash store with the four commands the scratch uses, recording each command. */
function fakeRedis() {
  const hashes = new Map<string, Map<string, string>>();
  const commands: string[] = [];
  return {
    commands,
    hashes,
    async hgetall(key: string) {
      commands.push('hgetall');
      return Object.fromEntries(hashes.get(key) ?? []);
    },
    async hset(key: string, ...pairs: string[]) {
      commands.push('hset');
      const hash = hashes.get(key) ?? new Map<string, string>();
      for (let i = 0; i < pairs.length; i += 2) hash.set(pairs[i]!, pairs[i + 1]!);
      hashes.set(key, hash);
      return pairs.length / 2;
    },
    async pexpire() {
      commands.push('pexpire');
      return 1;
    },
    async del(key: string) {
      commands.push('del');
      return hashes.delete(key) ? 1 : 0;
    },
  };
}

const options = { keyPrefix: 'meta:control', jobId: 'job-1', signature: '2026-11|2026-W48', ttlMs: 60_000 };

describe('jobScratch', () => {
  it('saveAll keeps several results in one write, and load returns them for the same signature', async () => {
    const redis = fakeRedis();
    const scratch = jobScratch(redis as never, options);
    await scratch.saveAll(
      new Map<string, unknown>([
        ['campaigns', [{ campaign_id: '1' }]],
        ['account', [{ ctr: '1.5' }]],
      ]),
    );
    expect(redis.commands).toEqual(['hset', 'pexpire']);
    const loaded = await jobScratch(redis as never, options).load();
    expect([...loaded]).toEqual([
      ['campaigns', [{ campaign_id: '1' }]],
      ['account', [{ ctr: '1.5' }]],
    ]);
  });

  it('saveAll with nothing fetched writes nothing', async () => {
    const redis = fakeRedis();
    await jobScratch(redis as never, options).saveAll(new Map());
    expect(redis.commands).toEqual([]);
  });

  it('results saved for another signature are dropped on load', async () => {
    const redis = fakeRedis();
    await jobScratch(redis as never, options).saveAll(new Map([['campaigns', []]]));
    const loaded = await jobScratch(redis as never, { ...options, signature: '2026-12|2026-W49' }).load();
    expect(loaded.size).toBe(0);
    expect(redis.hashes.size).toBe(0);
  });

  it('a first attempt (not resumed) neither reads nor deletes; keep never throws and says why', async () => {
    const redis = fakeRedis();
    const fresh = jobScratch(redis as never, { ...options, resumed: false });
    expect((await fresh.load()).size).toBe(0);
    await fresh.clear();
    expect(redis.commands).toEqual([]);

    const warnings: string[] = [];
    const failing = { ...redis, hset: async () => Promise.reject(new Error('redis down')) };
    const scratch = jobScratch(failing as never, {
      ...options,
      log: { warn: (_details, message) => warnings.push(message) },
    });
    await expect(scratch.keep(new Map([['campaigns', []]]))).resolves.toBeUndefined();
    expect(warnings).toEqual(['could not keep the fetched insights for the next attempt']);
  });
});
