/**
 * @module processors/job-scratch
 * What a job already fetched from Meta, kept in Redis while it is parked between windows, so a job larger
 * than one window (a cache refresh makes six calls) finishes across windows without asking Meta twice.
 *
 * One hash per job, `<controlKeyPrefix>:scratch:<jobId>`: field `sig` = what the results are for (the
 * periods of a refresh); one field per result. A different `sig` (the job came back on another day) drops
 * the old results. The hash expires after `ttlMs` and is deleted when the job ends.
 *
 * Results are written once, when an attempt fails or must wait (`keep`), never after each call; only a job
 * that ran before (`resumed`) can have any, so a first run neither reads nor deletes the hash.
 */
import type { Redis } from 'ioredis';
import type { JobRun, ProcessorContext } from './context.ts';

export interface JobScratch {
  /** Results saved for `signature` (older ones are dropped). */
  load(): Promise<Map<string, unknown>>;
  /** Saves several results in one write (a job about to park keeps what it fetched). */
  saveAll(results: ReadonlyMap<string, unknown>): Promise<void>;
  /** `saveAll` for an attempt that failed or parks: never throws (a lost scratch only costs calls again). */
  keep(results: ReadonlyMap<string, unknown>): Promise<void>;
  clear(): Promise<void>;
}

export interface JobScratchOptions {
  keyPrefix: string;
  jobId: string;
  signature: string;
  ttlMs: number;
  /** The job ran before (parked or retried). False: nothing can be kept, load and clear touch nothing. */
  resumed?: boolean;
  /** Where `keep` reports a failed write. */
  log?: { warn(details: object, message: string): void };
}

export function jobScratch(
  redis: Pick<Redis, 'hgetall' | 'hset' | 'pexpire' | 'del'>,
  options: JobScratchOptions,
): JobScratch {
  const key = `${options.keyPrefix}:scratch:${options.jobId}`;
  const resumed = options.resumed ?? true;
  const scratch: JobScratch = {
    async load() {
      if (!resumed) return new Map();
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
    async keep(results) {
      await scratch.saveAll(results).catch((error: unknown) => {
        options.log?.warn({ err: error }, 'could not keep the fetched insights for the next attempt');
      });
    },
    async clear() {
      if (resumed) await redis.del(key);
    },
  };
  return scratch;
}

/** The scratch of a running job: keyed by its id, resumed when this is not its first attempt. */
export function scratchOfRun(ctx: ProcessorContext, run: JobRun<unknown>, signature: string): JobScratch {
  return jobScratch(ctx.redis, {
    keyPrefix: ctx.controlKeyPrefix,
    jobId: run.job.id ?? run.clientId,
    signature,
    ttlMs: ctx.settings.scratchTtlMs,
    resumed: (run.job.attemptsStarted ?? 0) > 1,
    log: run.log,
  });
}
