/**
 * @module processors/slots
 * Taking the per-account limiter slot a job needs before its first Meta call. The slot (a lease plus the
 * first call's place in the window log) is handed to the job's call context: the call booking
 * (call-booking.ts) uses it for the job's first call of that BUC and books every further call itself.
 */
import type { Grant } from '@meta-engine/queue';
import { jobCalls } from '../call-booking.ts';
import type { JobRun, ProcessorContext } from './context.ts';
import { park } from './park.ts';

/** A slot this close is waited for inside the job (e.g. the answer to the account's first, probing call). */
const SHORT_WAIT_MS = 250;

/**
 * A grant on `buc`, or the job is parked until the account's slot (throws `ParkedError`: no attempt used,
 * no worker slot held). A wait of a few hundred ms for a paced slot is slept instead. Release the grant in
 * `finally`.
 */
export async function acquireSlot(ctx: ProcessorContext, run: JobRun<unknown>, buc: string): Promise<Grant> {
  const jobId = run.job.id;
  if (!jobId) throw new Error('a job without an id cannot take a limiter slot');
  // While the app is tracked, the call booking admits each call through the app gate, which refuses while
  // the app is blocked: the slot need not look at the app block too.
  const request = { adAccountId: run.adAccountId, buc, jobId, skipAppBlock: ctx.app?.active === true };
  let result = await ctx.limiter.acquire(request);
  while (
    !result.ok &&
    result.reason === 'paced' &&
    result.delayMs <= Math.min(SHORT_WAIT_MS, ctx.settings.maxInlineWaitMs)
  ) {
    await new Promise((resolve) => setTimeout(resolve, result.ok ? 0 : result.delayMs));
    result = await ctx.limiter.acquire(request);
  }
  if (result.ok) {
    const state = jobCalls.getStore();
    if (state) state.prebooked = { buc, member: result.member, slotAt: result.slotAt };
    return result;
  }
  run.log.debug(
    { reason: result.reason, delayMs: result.delayMs, buc },
    'parked until the ad account has a slot',
  );
  return park(ctx, run, result.retryAt, result.reason);
}
