/**
 * @module commands/status
 * `producer status [--json]`: queue counts and pauses (with the reason), token state, accounts currently
 * throttled and until when, the schedulers and recent runs. `--clients [--filter f]`: every client's
 * health instead, as the operator console shows it (the same view model; `--json` = `GET /api/clients`).
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { EXIT, UsageError } from '../cli/usage-error.ts';
import type { ConfigNeeds } from '../config.ts';
import { type ClientFilter, type ClientQuery, FILTERS } from '../console/client-view.ts';
import type { ClientsView } from '../console/console-service.ts';
import { formatAge, OBJECTIVES } from '../console/freshness.ts';
import type { Section, StatusSnapshot } from '../status/collect-status.ts';
import { table } from './schedules.ts';

export const name = 'status';
export const description =
  'Queue counts, paused queues and why, token state, throttled accounts, recent runs';
export const usage = `producer status [--json] [--throttled <n>]
producer status --clients [--filter <f>] [--json]

  --json           machine-readable output
  --throttled <n>  list at most n throttled accounts (default 20)
  --clients        every client's health (validation, freshness, blocks, pause), as the console shows it
  --filter <f>     with --clients: ${FILTERS.join(', ')} (default all)`;
export const needs: ConfigNeeds = {};

export interface StatusFlags {
  json: boolean;
  throttledLimit: number;
  /** Set with --clients: show every client's health with this filter. */
  clients: ClientFilter | null;
}

export function parse(argv: readonly string[]): StatusFlags {
  const { values } = parseFlags(
    argv,
    {
      json: { type: 'boolean' },
      throttled: { type: 'string' },
      clients: { type: 'boolean' },
      filter: { type: 'string' },
    },
    { min: 0, max: 0, names: '' },
  );
  const limit = values.throttled === undefined ? 20 : Number(values.throttled);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError('--throttled must be a whole number from 1 to 1000');
  }
  if (values.filter !== undefined && !values.clients) throw new UsageError('--filter needs --clients');
  if (values.clients && values.throttled !== undefined)
    throw new UsageError('--throttled does not apply to --clients');
  const filter = values.filter ?? 'all';
  if (!(FILTERS as readonly string[]).includes(filter)) {
    throw new UsageError(`--filter must be one of ${FILTERS.join(', ')}`);
  }
  return {
    json: values.json ?? false,
    throttledLimit: limit,
    clients: values.clients ? (filter as ClientFilter) : null,
  };
}

export interface StatusDeps {
  status(options: { throttledLimit: number; recentRuns: number }): Promise<StatusSnapshot>;
  /** The console's clients view (runtime.clientConsole.clients). */
  clients(query: ClientQuery): Promise<ClientsView>;
  out: Output;
}

export async function run(flags: StatusFlags, deps: StatusDeps): Promise<number> {
  if (flags.clients !== null) {
    const view = await deps.clients({ filter: flags.clients, sort: 'attention', q: '' });
    deps.out.write(flags.json ? `${JSON.stringify(view, null, 2)}\n` : renderClients(view));
    return EXIT.ok;
  }
  const snapshot = await deps.status({ throttledLimit: flags.throttledLimit, recentRuns: 5 });
  if (flags.json) {
    deps.out.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  } else {
    deps.out.write(renderStatus(snapshot));
  }
  const failed = [snapshot.queues, snapshot.token].some((s) => !s.ok);
  return failed ? EXIT.failure : EXIT.ok;
}

function unavailable(title: string, section: Section<unknown>): string | undefined {
  return section.ok ? undefined : `${title}: unavailable (${section.error})\n`;
}

export function renderStatus(s: StatusSnapshot, now: Date = new Date()): string {
  const out: string[] = [];
  out.push(
    unavailable('Queues', s.queues) ??
      `Queues\n${table(
        ['queue', 'waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'paused'],
        s.queues.ok
          ? s.queues.value.map((q) => [
              q.name,
              String(q.counts.waiting),
              String(q.counts.prioritized),
              String(q.counts.delayed),
              String(q.counts.active),
              String(q.counts.completed),
              String(q.counts.failed),
              q.pause.paused
                ? `yes: ${q.pause.reason ?? 'no reason recorded'}${q.pause.detail ? ` (${q.pause.detail})` : ''}${q.pause.since ? ` since ${q.pause.since}` : ''}`
                : 'no',
            ])
          : [],
      )}`,
  );
  if (s.token.ok) {
    const { stored, rotatedTo, configured } = s.token.value;
    const lines = ['Token'];
    lines.push(
      `  configured: ${configured ? shortFingerprint(configured) : '(META_ACCESS_TOKEN not set here)'}`,
    );
    lines.push(`  last rotated to: ${shortFingerprint(rotatedTo)}`);
    if (stored) {
      lines.push(
        `  stored state: ${stored.status} for ${shortFingerprint(stored.fingerprint)}` +
          `${stored.pausedReason ? `, paused: ${stored.pausedReason}` : ''}` +
          `${stored.lastCheckedAt ? `, checked ${stored.lastCheckedAt}` : ', never checked'}` +
          `${stored.expiresAt ? `, expires ${stored.expiresAt}` : ''}`,
      );
    } else {
      lines.push('  stored state: none yet');
    }
    const current = rotatedTo ?? stored?.fingerprint ?? null;
    if (configured && configured !== current)
      lines.push('  the configured token is not rotated to yet: run `producer rotate`');
    out.push(`${lines.join('\n')}\n`);
  } else {
    out.push(unavailable('Token', s.token) ?? '');
  }
  if (s.throttled.ok) {
    const t = s.throttled.value;
    const lines = [`Throttled accounts: ${t.total}`];
    if (t.app)
      lines.push(`  APP-WIDE block until ${t.app.until.toISOString()} (${t.app.reason || 'no reason'})`);
    for (const a of t.accounts) {
      const left = Math.max(0, Math.round((a.until.getTime() - now.getTime()) / 1000));
      lines.push(
        `  act_${a.adAccountId} ${a.buc === '*' ? 'all calls' : a.buc} until ${a.until.toISOString()} (${left}s)`,
      );
    }
    if (t.total > t.accounts.length) lines.push(`  ... and ${t.total - t.accounts.length} more`);
    out.push(`${lines.join('\n')}\n`);
  } else {
    out.push(unavailable('Throttled accounts', s.throttled) ?? '');
  }
  if (s.schedulers.ok) {
    out.push(
      `Schedulers\n${table(
        ['task', 'cron', 'time zone', 'next tick (UTC)'],
        s.schedulers.value.map((x) => [
          x.task ?? x.id,
          x.pattern ?? '',
          x.tz ?? '',
          x.next ? new Date(x.next).toISOString() : '',
        ]),
      )}`,
    );
  } else {
    out.push(unavailable('Schedulers', s.schedulers) ?? '');
  }
  if (s.runs.ok && s.runs.value.length > 0) {
    out.push(
      `Recent runs\n${table(
        ['run', 'status', 'created', 'skipped', 'left out', 'started'],
        s.runs.value.map((r) => [
          r.runId,
          r.status,
          String(r.created),
          String(r.skipped),
          String(r.rejected),
          r.createdAt,
        ]),
      )}`,
    );
  }
  return out.join('\n');
}

const OBJECTIVE_COLUMN = {
  validation: 'validated',
  month_cache: 'month',
  week_cache: 'week',
  insights: 'insights',
};

/** The clients table as text: what needs attention first, one line per client. */
export function renderClients(view: ClientsView): string {
  const cell = (state: string, age: number | null) =>
    state === 'not_applicable'
      ? 'n/a'
      : `${state === 'met' ? 'ok' : 'LATE'}${age === null ? ' never' : ` ${formatAge(age)}`}`;
  const rows = view.rows.map((row) => {
    const flags = (['failing', 'throttled', 'stale', 'paused'] as const).filter((f) => row.flags[f]);
    return [
      row.name.length > 32 ? `${row.name.slice(0, 31)}…` : row.name,
      `act_${row.adAccountId}`,
      row.validation.outcome ?? 'never',
      ...OBJECTIVES.map((o) => cell(row.freshness.results[o].state, row.freshness.results[o].ageSeconds)),
      row.blocks[0] ? `until ${row.blocks[0].until}` : '',
      flags.length > 0 ? flags.join(',') : 'healthy',
      row.problems[0] ?? (row.pause?.reason ? `paused: ${row.pause.reason}` : ''),
    ];
  });
  const counts = (['all', 'failing', 'stale', 'throttled', 'paused', 'healthy'] as const)
    .map((f) => `${f} ${view.counts[f]}`)
    .join(', ');
  return `Clients (${counts}; showing ${view.query.filter})\n${table(
    [
      'client',
      'ad account',
      'validation',
      ...OBJECTIVES.map((o) => OBJECTIVE_COLUMN[o]),
      'blocked',
      'state',
      'why',
    ],
    rows,
  )}`;
}
