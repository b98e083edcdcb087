/**
 * `overhead`: what the engine costs per job when Meta costs nothing. The sandbox answers at once with no
 * quota; 20,000 validation jobs go through the whole path (producer fan-out from the database, BullMQ,
 * the worker's limiter, one Meta call, the database writes). Baseline: a bare BullMQ worker processing
 * 20,000 no-op jobs on the same Redis in the same run.
 */

import { startRunInline } from '@meta-engine/producer';
import { measureBareWorker } from '../lib/bare-baseline.ts';
import { engineEnv, openProducer, startWorkerProcess } from '../lib/engine.ts';
import { describeLoad, sampleMachineLoad } from '../lib/machine-load.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { accountIds, BENCH_TOKEN, startSandboxProcess } from '../lib/sandbox.ts';
import { seedClients, startBenchStack } from '../lib/stack.ts';
import { percentile, sleep, waitUntil } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';
import { costBetween, costFigures } from '../lib/worker-cost.ts';

export const overhead: Suite = {
  name: 'overhead',
  title: 'Engine overhead end to end vs a bare BullMQ no-op worker',
  async run({ quick, log }) {
    const jobs = quick ? 5_000 : 20_000;
    const concurrency = 200;
    const cleanup = new Cleanup();
    try {
      log(`starting the stack and a sandbox with ${jobs} accounts (no latency, rate limits off)`);
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());
      const accounts = {
        count: jobs,
        idBase: 6_000_000_000_000_000,
        campaigns: 1,
        adsetsPerCampaign: 1,
        adsPerAdset: 1,
      };
      const sandbox = await startSandboxProcess({
        seed: 'bench-overhead',
        accounts,
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: false },
      });
      cleanup.add(() => sandbox.close());
      await seedClients(stack.sql, accountIds(accounts));

      // Baseline first: a bare BullMQ worker, no-op jobs, same Redis, same concurrency.
      log(`bare BullMQ: ${jobs} no-op jobs, concurrency ${concurrency}`);
      const bareRun = await measureBareWorker({
        redisUrl: stack.redisUrl,
        jobs,
        concurrency,
        prefix: '{bare}',
      });
      const bareWallMs = bareRun.wallMs;

      // The engine: producer fan-out -> worker process -> sandbox -> database.
      log(`engine: ${jobs} validation jobs via the producer fan-out, CONCURRENCY_VALIDATE=${concurrency}`);
      const env = engineEnv({
        stack,
        sandboxUrl: sandbox.url,
        queuePrefix: '{bench-overhead}',
        extra: { CONCURRENCY_VALIDATE: String(concurrency) },
      });
      const worker = await startWorkerProcess(env);
      cleanup.add(() => worker.close());
      const runtime = await openProducer(env);
      cleanup.add(() => runtime.close());
      const before = await worker.cost();
      const sampler = sampleMachineLoad([worker.child.pid]);
      const started = Date.now();
      const run = await startRunInline(
        { directory: runtime.directory, pageSize: runtime.config.fanout.pageSize, fanout: runtime.fanout },
        { task: 'validate' },
        'cli',
      );
      const fannedOutMs = Date.now() - started;
      let validated = 0;
      await waitUntil(
        async () => {
          const [row] = await stack.sql<{ n: number }[]>`
            select count(*)::int as n from meta_ad_account_validations where run_id = ${run.runId}`;
          validated = row?.n ?? 0;
          return validated >= jobs;
        },
        { timeoutMs: 300_000, intervalMs: 100, what: 'every validation in the database' },
      );
      const wallMs = Date.now() - started;
      await sleep(200);
      const cost = costBetween(before, await worker.cost());
      const load = sampler.stop();
      log(
        `engine: ${cost.cpuPerJobMs?.toFixed(3)} ms worker CPU per job (bare ${bareRun.cost.cpuPerJobMs?.toFixed(3)}); ${describeLoad(load)}`,
      );
      const counts = await runtime.queues.validate.getJobCounts('failed', 'completed');
      const closed = await worker.close();
      const calls = await sandbox.counters();
      const processing = closed.timings.map((t) => t.finishedOn - t.processedOn);

      const engineRate = (jobs / wallMs) * 1000;
      const bareRate = (jobs / bareWallMs) * 1000;
      const figures: Figure[] = [
        {
          label: `jobs/s end to end (${jobs.toLocaleString('en-US')} jobs)`,
          value: engineRate,
          unit: 'jobs/s',
          baseline: bareRate,
          ratio: engineRate / bareRate,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'baseline = bare BullMQ no-op worker; ratio < 1 = engine slower',
        },
        {
          label: 'wall time, fan-out start to last row',
          value: wallMs / 1000,
          unit: 's',
          baseline: bareWallMs / 1000,
          ratio: bareWallMs / wallMs,
          kind: 'measured',
          baselineKind: 'measured',
        },
        {
          label: 'producer fan-out (read clients, addBulk)',
          value: fannedOutMs / 1000,
          unit: 's',
          kind: 'measured',
        },
        {
          label: 'bare BullMQ enqueue (addBulk 500)',
          value: bareRun.enqueueMs / 1000,
          unit: 's',
          kind: 'measured',
        },
        {
          label: 'job processing time p50 (processedOn→finishedOn)',
          value: percentile(processing, 50),
          unit: 'ms',
          kind: 'measured',
        },
        { label: 'job processing time p95', value: percentile(processing, 95), unit: 'ms', kind: 'measured' },
        { label: 'Meta calls (sandbox)', value: calls.requests, unit: '', kind: 'measured' },
        ...costFigures(cost, bareRun.cost, load),
        { label: 'failed jobs', value: counts.failed ?? 0, unit: '', kind: 'measured' },
      ];
      const goals: Goal[] = [
        {
          goal: '≥ 1,000 jobs/s end to end on this 2-core machine',
          met: engineRate >= 1000,
          detail: `${Math.round(engineRate)} jobs/s (${Math.round((engineRate / bareRate) * 100)} % of bare BullMQ's ${Math.round(bareRate)} jobs/s)`,
        },
        {
          goal: '≥ 0.35x a bare BullMQ no-op worker measured in the same run',
          met: engineRate / bareRate >= 0.35,
          detail: `${(engineRate / bareRate).toFixed(2)}x (${Math.round(engineRate)} vs ${Math.round(bareRate)} jobs/s); load: ${describeLoad(load)}`,
        },
      ];
      return {
        name: 'overhead',
        title: 'Engine overhead end to end vs a bare BullMQ no-op worker',
        config: {
          jobs,
          concurrency,
          workerProcesses: 1,
          sandbox: 'separate process, no latency, rateLimits disabled',
          baseline:
            'bare BullMQ Worker, no-op processor, same Redis, same concurrency, same job options; jobs added with addBulk(500)',
        },
        figures,
        goals,
        notes: [
          'Wall time runs from the producer fan-out call (which pages the clients out of PostgREST and adds the jobs) until the last validation row is in the database (polled every 100 ms).',
          'Per job the engine makes one Meta call, one database request for the validation (meta_record_validations, batched with concurrent jobs) and one for the sync state (batched), plus its limiter round trips to Redis (app-block check, acquire, release, two usage reports) and the once-per-run debug_token key.',
          'On 2 cores the worker, Redis, PostgREST, Postgres, the local REST proxy and the sandbox share the CPU; the engine is CPU-bound here, not I/O-bound.',
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};
