/**
 * @module runtime/node-flags
 * The Node flags a worker process is started with (`pnpm worker`, the package's `start`, `pnpm start`,
 * docker-compose, the benchmarks' worker processes; `node-flags.test.ts` holds them to this list).
 *
 * Without them V8 sizes the heap for the whole machine (about 4 GiB here) and lets garbage pile up long
 * before it collects: a worker whose live objects are about 40 MiB sat at 250-400 MiB RSS under load.
 * `--max-old-space-size=768` and an explicit `--max-semi-space-size=16` make V8 collect early: the same
 * worker peaks at about 175 MiB under 5,000 validate jobs and about 200 MiB under refresh-cache jobs
 * (job-cost, issue 17). The price: refresh-cache jobs, which allocate the most, cost about 15 % more CPU;
 * validate and collect-insights no measurable amount. A smaller young generation (8 MiB) saved a little
 * more memory for 10-25 % more CPU per job, so 16 it is.
 *
 * 768 MiB is a ceiling, not a reservation: a worker's live set is tens of MiB. A process that needs more
 * (very large accounts at high concurrency), or that would rather spend memory than CPU, is started with
 * its own values, e.g. `node --max-old-space-size=2048 apps/worker/src/main.ts` (the last value given wins).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--max-old-space-size=768'];
