/**
 * @module runtime/node-flags
 * The Node flags a worker process is started with (`pnpm worker`, the package's `start`, `pnpm start`,
 * docker-compose, the benchmarks' worker processes; `node-flags.test.ts` holds them to this list).
 *
 * `--max-old-space-size=768`: without it V8 sizes the heap for the whole machine (about 4 GiB here) and
 * lets the old generation fill with garbage long before it collects: a worker whose live objects are about
 * 40 MiB sat at 300-400 MiB RSS under load. With a 768 MiB ceiling V8 collects early and the same worker
 * peaks at 176-193 MiB (job-cost, 5,000 validate and 500 refresh-cache jobs), at the same CPU per job. A
 * smaller young generation (`--max-semi-space-size`) saved a little more memory but cost 10-25 % more CPU
 * per job, so it is left at V8's default.
 *
 * 768 MiB is a ceiling, not a reservation: a worker's live set is tens of MiB. A process that needs more
 * (very large accounts at high concurrency) is started with a larger value, e.g. `node
 * --max-old-space-size=2048 apps/worker/src/main.ts` (the last value given wins).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-old-space-size=768'];
