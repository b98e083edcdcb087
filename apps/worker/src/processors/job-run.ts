/**
 * @module processors/job-run
 * The first two steps of every processor: the payload through the queue package's zod schema (a bad
 * payload stays bad: `UnrecoverableError`), then the ad account id through meta-client's
 * `parseAdAccountId` (a malformed id is recorded in the client's sync state and ends this job only).
 */
import { isInvalidAdAccountIdError, parseAdAccountId } from '@meta-engine/meta-client';
import { type ClientTask, type JobDataByQueue, parseJobData } from '@meta-engine/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { jobCalls } from '../call-booking.ts';
import type { JobRun, ProcessorContext } from './context.ts';
import { describeFailure, recordFailure, summarizeFailure } from './failures.ts';

export async function startRun<T extends ClientTask>(
  ctx: ProcessorContext,
  task: T,
  job: Job,
  token: string | undefined,
  log: Logger,
): Promise<JobRun<JobDataByQueue[T]>> {
  let data: JobDataByQueue[T];
  try {
    data = parseJobData(task, job.data);
  } catch (error) {
    const message = summarizeFailure(error, ctx.secrets).message;
    log.warn({ problem: message }, 'invalid job payload');
    throw new UnrecoverableError(message);
  }
  const run: JobRun<JobDataByQueue[T]> = {
    job,
    token,
    task,
    data,
    clientId: data.clientId,
    adAccountId: '',
    log,
  };
  try {
    run.adAccountId = parseAdAccountId(data.adAccountId);
    const calls = jobCalls.getStore();
    if (calls) calls.adAccountId = run.adAccountId;
  } catch (error) {
    if (!isInvalidAdAccountIdError(error)) throw error;
    const summary = { ...summarizeFailure(error, ctx.secrets), category: 'invalid_ad_account_id' };
    await recordFailure(ctx, run, summary);
    log.warn({ failure: summary }, 'malformed ad account id: job ends without retry');
    throw new UnrecoverableError(describeFailure(summary));
  }
  return run;
}
