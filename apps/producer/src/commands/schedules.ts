/**
 * @module commands/schedules
 * `producer schedules [--apply] [--json]`: the job schedulers in Redis (task, cron, time zone, next tick).
 * `--apply` first makes them match the configuration, as `serve` does at start.
 */

import { CLIENT_TASKS, type ClientTask } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { EXIT } from '../cli/usage-error.ts';
import type { ConfigNeeds, LocalSchedule, Schedule } from '../config.ts';
import { LOCAL_SCHEDULER_ID, localLanes } from '../schedules/local-midnight.ts';
import { listSchedulers, syncSchedulers } from '../schedules/sync-schedulers.ts';

export const name = 'schedules';
export const description = 'List the job schedulers (and with --apply, sync them from the configuration)';
export const usage = `producer schedules [--apply] [--json]

  --apply   upsert/remove schedulers to match SCHEDULE_* first
  --json    machine-readable output`;
export const needs: ConfigNeeds = {};

export interface SchedulesFlags {
  apply: boolean;
  json: boolean;
}

export function parse(argv: readonly string[]): SchedulesFlags {
  const { values } = parseFlags(
    argv,
    { apply: { type: 'boolean' }, json: { type: 'boolean' } },
    { min: 0, max: 0, names: '' },
  );
  return { apply: values.apply ?? false, json: values.json ?? false };
}

export interface SchedulesDeps {
  fanoutQueue: Queue;
  schedules: Record<ClientTask, Schedule | null>;
  /** The local-midnight schedule (its tick is listed as `local-midnight`). */
  local?: LocalSchedule;
  out: Output;
}

export async function run(flags: SchedulesFlags, deps: SchedulesDeps): Promise<number> {
  if (flags.apply) {
    const report = await syncSchedulers(deps.fanoutQueue, deps.schedules, deps.local);
    if (!flags.json) {
      deps.out.write(
        `applied: upserted ${report.upserted.join(', ') || 'none'}; removed ${report.removed.join(', ') || 'none'}\n`,
      );
    }
  }
  const schedulers = await listSchedulers(deps.fanoutQueue);
  if (flags.json) {
    deps.out.write(
      `${JSON.stringify({ schedulers, configured: deps.schedules, local: deps.local ?? null }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const rows = schedulers.map((s) => [
    s.id === LOCAL_SCHEDULER_ID ? 'local-midnight' : (s.task ?? s.id),
    s.pattern ?? '',
    s.tz ?? '',
    s.next ? new Date(s.next).toISOString() : '',
  ]);
  deps.out.write(table(['task', 'cron', 'time zone', 'next tick (UTC)'], rows));
  const lanes = deps.local ? localLanes(deps.local) : [];
  if (deps.local && lanes.length > 0) {
    deps.out.write(
      `local-midnight: ${lanes.map((l) => (l.rolloverOnly ? `${l.task} (week/month rollover)` : l.task)).join(', ')}` +
        ` ${deps.local.delayMinutes} min after each account's midnight, checked every ${deps.local.tickMinutes} min\n`,
    );
  }
  const localMissing = lanes.length > 0 && !schedulers.some((s) => s.id === LOCAL_SCHEDULER_ID);
  const missing = [
    ...CLIENT_TASKS.filter((t) => deps.schedules[t] && !schedulers.some((s) => s.task === t)),
    ...(localMissing ? ['local-midnight'] : []),
  ];
  const stale = schedulers.filter((s) => s.task && !deps.schedules[s.task]).map((s) => s.task);
  if (missing.length > 0 || stale.length > 0) {
    deps.out.write(
      `differs from the configuration (run with --apply or restart serve): ${[...missing.map((t) => `${t} missing`), ...stale.map((t) => `${t} is off`)].join(', ')}\n`,
    );
  }
  return EXIT.ok;
}

export function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return `${header.join('  ')}\n(none)\n`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
