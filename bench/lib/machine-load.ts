/**
 * @module machine-load
 * The load on the machine while a benchmark part ran: the 1-minute load average (sampled) and, from
 * /proc/stat and /proc/<pid>/stat (Linux), how busy all cores were and how much of that was the worker
 * process(es) and how much everything else (Redis, Postgres, PostgREST, the sandbox, other users of the
 * machine). Sampled once a second; without /proc only the load average is reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface MachineLoad {
  cores: number;
  /** 1-minute load average: mean and max over the samples. */
  loadAvgMean: number;
  loadAvgMax: number;
  /** Busy share of the whole machine (all cores = 100 %), %; null without /proc. */
  machineBusyPct: number | null;
  /** The watched worker process(es)' CPU as % of the whole machine; null without /proc. */
  workerPct: number | null;
  /** Everything else on the machine, % of the whole machine. */
  othersPct: number | null;
  /** The busiest other processes by command name (`postgres`, `redis-server`, `node`…), % of the machine. */
  topOthers: Array<{ command: string; pct: number }>;
  seconds: number;
}

function readTotalTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** utime + stime of every process, by pid, with its command name. */
function allProcessTicks(): Map<number, { command: string; ticks: number }> {
  const all = new Map<number, { command: string; ticks: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return all;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(pid, { command, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process exited meanwhile
    }
  }
  return all;
}

export interface LoadSampler {
  /** Adds a process whose CPU counts as the worker's. */
  watch(pid: number): void;
  stop(): MachineLoad;
}

/** Starts sampling; `stop()` returns the figures for the time in between. */
export function sampleMachineLoad(workerPids: number[] = [], intervalMs = 1000): LoadSampler {
  const pids = new Set(workerPids);
  const startTicks = readTotalTicks();
  const startAll = allProcessTicks();
  const startAt = Date.now();
  const pidStart = new Map<number, number>();
  const pidLast = new Map<number, number>();
  const watch = (pid: number) => {
    pids.add(pid);
    if (!pidStart.has(pid)) pidStart.set(pid, processTicks(pid));
  };
  for (const pid of pids) watch(pid);
  const loads: number[] = [loadavg()[0] ?? 0];
  const timer = setInterval(() => {
    loads.push(loadavg()[0] ?? 0);
    // Remember the latest reading: a process that exits before stop() keeps what it used.
    for (const pid of pids) {
      const ticks = processTicks(pid);
      if (ticks > 0) pidLast.set(pid, ticks);
    }
  }, intervalMs);
  timer.unref();
  return {
    watch,
    stop() {
      clearInterval(timer);
      loads.push(loadavg()[0] ?? 0);
      const cores = cpus().length;
      const endTicks = readTotalTicks();
      const round = (v: number) => Math.round(v * 10) / 10;
      let machineBusyPct: number | null = null;
      let workerPct: number | null = null;
      let othersPct: number | null = null;
      const topOthers: MachineLoad['topOthers'] = [];
      if (startTicks && endTicks && endTicks.total > startTicks.total) {
        const byCommand = new Map<string, number>();
        for (const [pid, now] of allProcessTicks()) {
          if (pids.has(pid)) continue;
          const used = now.ticks - (startAll.get(pid)?.ticks ?? 0);
          if (used > 0) byCommand.set(now.command, (byCommand.get(now.command) ?? 0) + used);
        }
        const machineTicks = endTicks.total - startTicks.total;
        for (const [command, ticks] of [...byCommand].sort((a, b) => b[1] - a[1]).slice(0, 6)) {
          topOthers.push({ command, pct: round((ticks / machineTicks) * 100) });
        }
        const total = endTicks.total - startTicks.total;
        machineBusyPct = ((endTicks.busy - startTicks.busy) / total) * 100;
        let worker = 0;
        for (const pid of pids) {
          const now = processTicks(pid) || (pidLast.get(pid) ?? 0);
          worker += Math.max(0, now - (pidStart.get(pid) ?? 0));
        }
        workerPct = (worker / total) * 100;
        othersPct = Math.max(0, machineBusyPct - workerPct);
        machineBusyPct = round(machineBusyPct);
        workerPct = round(workerPct);
        othersPct = round(othersPct);
      }
      return {
        cores,
        loadAvgMean: Math.round((loads.reduce((s, v) => s + v, 0) / loads.length) * 100) / 100,
        loadAvgMax: Math.round(Math.max(...loads) * 100) / 100,
        machineBusyPct,
        workerPct,
        othersPct,
        topOthers,
        seconds: Math.round((Date.now() - startAt) / 100) / 10,
      };
    },
  };
}

/** "load 1.8 (max 2.3); machine 92 % busy: worker 45 %, others 47 % (2 cores)" */
export function describeLoad(load: MachineLoad): string {
  const base = `load average ${load.loadAvgMean} (max ${load.loadAvgMax})`;
  if (load.machineBusyPct === null) return base;
  const top = load.topOthers.map((p) => `${p.command} ${p.pct} %`).join(', ');
  return `${base}; machine ${load.machineBusyPct} % busy over ${load.cores} cores: worker ${load.workerPct} %, others ${load.othersPct} %${top ? ` (${top})` : ''}`;
}
