/**
 * @module worker-cost
 * A worker process's own cost, measured inside it: CPU time (user + system, `process.cpuUsage()`), the jobs
 * it finished per job type, and its resident set (sampled every 250 ms; the peak is the kernel's VmHWM).
 * The child side (`createCostRecorder`) answers `cost` requests with a snapshot; the parent takes one
 * snapshot before a timed part and one after (`costBetween`), so start-up and shut-down are not counted and
 * no co-located process (Redis, Postgres, the sandbox) blurs the figure.
 */
import { describeLoad, type MachineLoad, sampleMachineLoad } from './machine-load.ts';
import type { Figure } from './results.ts';

/** What a worker child reports on a `cost` request. */
export interface CostSnapshot {
  /** Cumulative CPU of the process since it started, ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Jobs finished (completed or failed, not parked) per queue since the process started. */
  finished: Record<string, number>;
  /** RSS now, MiB. */
  rssMiB: number;
  /** Peak RSS so far (VmHWM), MiB. */
  maxRssMiB: number;
  /** V8 heap in use and reserved, and memory outside it (buffers, wasm), MiB, now. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** RSS samples taken while jobs were active, since the previous snapshot, MiB. */
  busyRssMiB: number[];
  /** When the snapshot was taken (ms since epoch). */
  at: number;
}

export interface CostRecorder {
  /** Counts one finished job of `queue`. */
  finished(queue: string): void;
  /** The snapshot to send to the parent (resets the busy RSS samples). */
  snapshot(): CostSnapshot;
  stop(): void;
}

/**
 * Child side: counts finished jobs and samples RSS while jobs run (`activeJobs()` > 0, or a job finished
 * since the previous sample).
 */
export function createCostRecorder(activeJobs: () => number = () => 0, sampleMs = 250): CostRecorder {
  const finished: Record<string, number> = {};
  let busy: number[] = [];
  let finishedSinceSample = 0;
  const timer = setInterval(() => {
    if (activeJobs() > 0 || finishedSinceSample > 0) busy.push(process.memoryUsage.rss() / 1048576);
    finishedSinceSample = 0;
  }, sampleMs);
  timer.unref();
  return {
    finished(queue) {
      finished[queue] = (finished[queue] ?? 0) + 1;
      finishedSinceSample++;
    },
    snapshot() {
      const cpu = process.cpuUsage();
      // Under `--expose-gc` (a diagnosis, BENCH_WORKER_NODE_OPTIONS) the heap is what is still referenced.
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      const snap: CostSnapshot = {
        heapUsedMiB: memory.heapUsed / 1048576,
        heapTotalMiB: memory.heapTotal / 1048576,
        externalMiB: memory.external / 1048576,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        finished: { ...finished },
        rssMiB: process.memoryUsage.rss() / 1048576,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        busyRssMiB: busy,
        at: Date.now(),
      };
      busy = [];
      return snap;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** The cost of one timed part, from two snapshots of the same process. */
export interface WorkerCost {
  /** CPU (user + system) between the snapshots, ms. */
  cpuMs: number;
  /** The system (kernel) part of cpuMs: socket writes and reads, mostly. */
  cpuSystemMs: number;
  wallMs: number;
  /** Jobs finished between the snapshots, per queue. */
  jobs: Record<string, number>;
  totalJobs: number;
  /** cpuMs / totalJobs (per job type when one type ran), ms. */
  cpuPerJobMs: number | null;
  /** CPU share of one core while it ran: cpuMs / wallMs. */
  cpuShareOfCore: number;
  peakRssMiB: number;
  /** Median RSS while jobs were active (the plateau under load), MiB; null without samples. */
  steadyRssMiB: number | null;
}

export function costBetween(before: CostSnapshot, after: CostSnapshot): WorkerCost {
  const cpuMs = after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs;
  const jobs: Record<string, number> = {};
  for (const [queue, n] of Object.entries(after.finished)) {
    const delta = n - (before.finished[queue] ?? 0);
    if (delta > 0) jobs[queue] = delta;
  }
  const totalJobs = Object.values(jobs).reduce((sum, n) => sum + n, 0);
  const wallMs = Math.max(1, after.at - before.at);
  const sorted = [...after.busyRssMiB].sort((a, b) => a - b);
  return {
    cpuMs,
    cpuSystemMs: after.cpuSystemMs - before.cpuSystemMs,
    wallMs,
    jobs,
    totalJobs,
    cpuPerJobMs: totalJobs > 0 ? cpuMs / totalJobs : null,
    cpuShareOfCore: cpuMs / wallMs,
    peakRssMiB: after.maxRssMiB,
    steadyRssMiB: sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : null,
  };
}

/** Parses a `cost` reply from a child. */
export function asSnapshot(reply: Record<string, unknown>): CostSnapshot {
  return reply.cost as CostSnapshot;
}

/** "validate 2,000, refresh-cache 10" */
export function describeJobs(jobs: Record<string, number>): string {
  const parts = Object.entries(jobs).map(([queue, n]) => `${queue} ${n.toLocaleString('en-US')}`);
  return parts.length > 0 ? parts.join(', ') : 'no jobs';
}

/**
 * The cost figures every benchmark reports: the worker's CPU per job, its CPU share, peak and steady RSS,
 * each next to the bare BullMQ worker's from the same run, and the machine's load while it ran.
 */
export function costFigures(engine: WorkerCost, bare: WorkerCost, load: MachineLoad, part = ''): Figure[] {
  const suffix = part ? ` (${part})` : '';
  return [
    {
      label: `worker CPU per job${suffix}: ${describeJobs(engine.jobs)}`,
      value: engine.cpuPerJobMs,
      unit: 'ms',
      baseline: bare.cpuPerJobMs,
      ratio: engine.cpuPerJobMs && bare.cpuPerJobMs ? bare.cpuPerJobMs / engine.cpuPerJobMs : null,
      kind: 'measured',
      baselineKind: 'measured',
      note: 'user + system, process.cpuUsage() inside the worker / jobs it finished; baseline = bare BullMQ no-op worker',
    },
    {
      label: `worker CPU share while running${suffix}`,
      value: engine.cpuShareOfCore * 100,
      unit: '% of a core',
      baseline: bare.cpuShareOfCore * 100,
      kind: 'measured',
      baselineKind: 'measured',
    },
    {
      label: `worker peak RSS${suffix}`,
      value: engine.peakRssMiB,
      unit: 'MiB',
      baseline: bare.peakRssMiB,
      kind: 'measured',
      baselineKind: 'measured',
    },
    {
      label: `worker steady RSS under load${suffix}`,
      value: engine.steadyRssMiB,
      unit: 'MiB',
      baseline: bare.steadyRssMiB,
      kind: 'measured',
      baselineKind: 'measured',
      note: 'median of 250 ms samples while jobs ran',
    },
    {
      label: `machine load average while running${suffix}`,
      value: load.loadAvgMean,
      unit: '',
      kind: 'measured',
      note: describeLoad(load),
    },
    {
      label: `other processes' CPU while running${suffix}`,
      value: load.othersPct,
      unit: '% of machine',
      kind: 'measured',
      note: `worker ${load.workerPct ?? '–'} % of the machine (${load.cores} cores)`,
    },
  ];
}

/** Several worker processes' costs as one (CPU and jobs summed; RSS: the largest process). */
export function combineCosts(costs: readonly WorkerCost[]): WorkerCost {
  const jobs: Record<string, number> = {};
  for (const cost of costs)
    for (const [queue, n] of Object.entries(cost.jobs)) jobs[queue] = (jobs[queue] ?? 0) + n;
  const cpuMs = costs.reduce((sum, c) => sum + c.cpuMs, 0);
  const totalJobs = Object.values(jobs).reduce((sum, n) => sum + n, 0);
  const wallMs = Math.max(1, ...costs.map((c) => c.wallMs));
  const steady = costs.map((c) => c.steadyRssMiB).filter((v): v is number => v !== null);
  return {
    cpuMs,
    cpuSystemMs: costs.reduce((sum, c) => sum + c.cpuSystemMs, 0),
    wallMs,
    jobs,
    totalJobs,
    cpuPerJobMs: totalJobs > 0 ? cpuMs / totalJobs : null,
    cpuShareOfCore: cpuMs / wallMs,
    peakRssMiB: Math.max(0, ...costs.map((c) => c.peakRssMiB)),
    steadyRssMiB: steady.length > 0 ? Math.max(...steady) : null,
  };
}

/**
 * Runs `part` with the cost of the worker processes (snapshots before and after) and the machine's load
 * around it.
 */
export async function measurePart<T>(
  workers: ReadonlyArray<{ cost(): Promise<CostSnapshot>; child: { pid: number } }>,
  part: () => Promise<T>,
): Promise<{ result: T; cost: WorkerCost; load: MachineLoad }> {
  const before = await Promise.all(workers.map((w) => w.cost()));
  const sampler = sampleMachineLoad(workers.map((w) => w.child.pid));
  const result = await part();
  const after = await Promise.all(workers.map((w) => w.cost()));
  const load = sampler.stop();
  return { result, cost: combineCosts(before.map((b, i) => costBetween(b, after[i]!))), load };
}
