/**
 * @module processors/job-scratch
 * What a job already fetched from Meta, kept in Redis while it is parked between windows, so a job larger
 * than one window (a cache refresh makes six calls) finishes across windows without asking Meta twice.
 *
 * One hash per job, `<controlKeyPrefix>:scratch:<jobId>`: field `sig` = what the results are for (the
 * periods of a refresh); one field per result. A different `sig` (the job came back on another day) drops
 * the old results. The hash expires after `ttlMs` and is deleted when the job ends.
 */
import type { Redis } from 'ioredis';

export interface JobScratch {
  /** Results saved for `signature` (older ones are dropped). */
  load(): Promise<Map<string, unknown>>;
  /** Saves several results in one write (a job about to park keeps what it fetched). */
  saveAll(results: ReadonlyMap<string, unknown>): Promise<void>;
  clear(): Promise<void>;
}

export function jobScratch(
  redis: Pick<Redis, 'hgetall' | 'hset' | 'pexpire' | 'del'>,
  options: { keyPrefix: string; jobId: string; signature: string; ttlMs: number },
): JobScratch {
  const key = `${options.keyPrefix}:scratch:${options.jobId}`;
  return {
    async load() {
      const fields = await redis.hgetall(key);
      const results = new Map<string, unknown>();
      if (fields.sig !== options.signature) {
        if (fields.sig !== undefined) await redis.del(key);
        return results;
      }
      for (const [name, raw] of Object.entries(fields)) {
        if (name !== 'sig') results.set(name, JSON.parse(raw));
      }
      return results;
    },
    async saveAll(results) {
      if (results.size === 0) return;
      const fields: string[] = ['sig', options.signature];
      for (const [name, value] of results) fields.push(name, JSON.stringify(value));
      await redis.hset(key, ...fields);
      await redis.pexpire(key, Math.max(1_000, Math.ceil(options.ttlMs)));
    },
    async clear() {
      await redis.del(key);
    },
  };
}
