/**
 * @module processors/slots
 * Taking the per-account limiter slot a job needs before it calls Meta, and booking calls a job makes
 * beyond what it booked (extra pages, split parts), so later jobs of the account pay for them.
 */
import type { Grant } from '@meta-engine/queue';
import type { JobRun, ProcessorContext } from './context.ts';
import { park } from './park.ts';

/**
 * A grant for `cost` calls on `buc`, or the job is parked until the account's slot (throws
 * `ParkedError`: no attempt used, no worker slot held). Release the grant in `finally`.
 */
export async function acquireSlot(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  buc: string,
  cost = 1,
): Promise<Grant> {
  const jobId = run.job.id;
  if (!jobId) throw new Error('a job without an id cannot take a limiter slot');
  const result = await ctx.limiter.acquire({ adAccountId: run.adAccountId, buc, jobId, cost });
  if (result.ok) return result;
  run.log.debug(
    { reason: result.reason, delayMs: result.delayMs, buc },
    'parked until the ad account has a slot',
  );
  return park(ctx, run, result.retryAt, result.reason);
}

/**
 * Books `cost` more calls on `buc` for the running job. A short wait (≤ `maxWaitMs`) is slept; a longer
 * one is not: the calls are made and the booking moves the account's next slots back, so the average
 * pace still holds. Blocked accounts are the exception: the job is parked until the block ends.
 */
export async function bookExtraCalls(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  buc: string,
  cost: number,
  maxWaitMs = 2_000,
): Promise<void> {
  if (!(cost > 0)) return;
  const result = await ctx.limiter.reserve({ adAccountId: run.adAccountId, buc, cost });
  if (result.reason === 'blocked') await park(ctx, run, Date.now() + result.delayMs, 'blocked');
  if (result.delayMs > 0 && result.delayMs <= maxWaitMs) {
    await new Promise((resolve) => setTimeout(resolve, result.delayMs));
  }
}

/**
 * Charges `cost` calls already made (pages beyond the first, split parts) to the account's pace: no
 * waiting, the account's next slots move back instead.
 */
export async function chargeCalls(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  buc: string,
  cost: number,
): Promise<void> {
  if (!(cost > 0)) return;
  try {
    await ctx.limiter.reserve({ adAccountId: run.adAccountId, buc, cost });
  } catch (error) {
    run.log.warn({ err: error }, 'could not charge extra Meta calls to the limiter');
  }
}
