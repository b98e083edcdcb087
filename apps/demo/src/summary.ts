import type { Queue } from 'bullmq';
import postgres from 'postgres';
import type { DemoClient } from './demo-world.ts';

export type TaskName = 'validate' | 'refresh-cache' | 'collect-insights' | 'summaries';

/** The demo's tasks, in the order it runs them. */
export const DEMO_TASKS: readonly TaskName[] = ['validate', 'refresh-cache', 'collect-insights', 'summaries'];

export interface JobOutcome {
  state: 'completed' | 'failed' | 'missing' | 'pending';
  /** Times the job was parked (paced, throttled, waiting for a lease): started minus finished attempts. */
  waits: number;
  error?: string;
}

export interface ClientSummary {
  client: DemoClient;
  validation: string;
  monthCache: boolean;
  weekCache: boolean;
  daysCollected: number;
  insightRows: number;
  /** Meta rows in campaign_summaries (the app's permanent store), monthly and weekly. */
  monthlyRows: number;
  weeklyRows: number;
  /** Throttle errors Meta (the sandbox) sent for this client's ad account. */
  throttled: number;
  jobs: Record<TaskName, JobOutcome>;
}

/** Reads what each client ended with, from the database (what the app sees) and the jobs (how it got there). */
export async function collectSummaries(options: {
  databaseUrl: string;
  clients: readonly DemoClient[];
  queues: Record<TaskName, Queue>;
  runIds: Partial<Record<TaskName, string>>;
  /** Throttle errors per ad account id, as Meta's side counted them. */
  throttlesByAccount?: Readonly<Record<string, number>>;
}): Promise<ClientSummary[]> {
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const validations = await sql<{ client_id: string; outcome: string }[]>`
      select distinct on (client_id) client_id, outcome from public.meta_ad_account_validations
      order by client_id, checked_at desc`;
    const months = await sql<{ client_id: string }[]>`select client_id from public.current_month_cache`;
    const weeks = await sql<{ client_id: string }[]>`select client_id from public.current_week_cache`;
    const days = await sql<{ client_id: string; days: number }[]>`
      select client_id, count(*)::int as days from public.daily_kpi_data group by client_id`;
    const insights = await sql<{ client_id: string; rows: number }[]>`
      select client_id, count(*)::int as rows from public.meta_campaign_insights group by client_id`;
    const stored = await sql<{ client_id: string; monthly: number; weekly: number }[]>`
      select client_id, count(*) filter (where summary_type = 'monthly')::int as monthly,
             count(*) filter (where summary_type = 'weekly')::int as weekly
      from public.campaign_summaries where platform = 'meta' group by client_id`;
    const byClient = <T extends { client_id: string }>(rows: readonly T[]) =>
      new Map(rows.map((row) => [row.client_id, row]));
    const validationOf = byClient(validations);
    const monthOf = byClient(months);
    const weekOf = byClient(weeks);
    const daysOf = byClient(days);
    const insightsOf = byClient(insights);
    const storedOf = byClient(stored);
    const summaries: ClientSummary[] = [];
    for (const client of options.clients) {
      const jobs = {} as Record<TaskName, JobOutcome>;
      for (const task of DEMO_TASKS) {
        jobs[task] = await jobOutcome(options.queues[task], task, client.id, options.runIds[task]);
      }
      summaries.push({
        client,
        validation: validationOf.get(client.id)?.outcome ?? '-',
        monthCache: monthOf.has(client.id),
        weekCache: weekOf.has(client.id),
        daysCollected: daysOf.get(client.id)?.days ?? 0,
        insightRows: insightsOf.get(client.id)?.rows ?? 0,
        monthlyRows: storedOf.get(client.id)?.monthly ?? 0,
        weeklyRows: storedOf.get(client.id)?.weekly ?? 0,
        throttled: options.throttlesByAccount?.[client.adAccountId] ?? 0,
        jobs,
      });
    }
    return summaries;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function jobOutcome(
  queue: Queue,
  task: TaskName,
  clientId: string,
  runId: string | undefined,
): Promise<JobOutcome> {
  if (!runId) return { state: 'missing', waits: 0 };
  // summaries: one job per client and kind; the outcome is the worst of the two.
  const ids =
    task === 'summaries'
      ? [`${task}-${clientId}-monthly-${runId}`, `${task}-${clientId}-weekly-${runId}`]
      : [`${task}-${clientId}-${runId}`];
  const outcomes: JobOutcome[] = [];
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (!job) {
      outcomes.push({ state: 'missing', waits: 0 });
      continue;
    }
    const state = await job.getState();
    const waits = Math.max(0, (job.attemptsStarted ?? 0) - (job.attemptsMade ?? 0));
    if (state === 'completed') outcomes.push({ state, waits });
    else if (state === 'failed') outcomes.push({ state, waits, error: job.failedReason });
    else outcomes.push({ state: 'pending', waits });
  }
  const rank: Record<JobOutcome['state'], number> = { failed: 3, pending: 2, missing: 1, completed: 0 };
  const worst = outcomes.reduce((a, b) => (rank[b.state] > rank[a.state] ? b : a));
  return { ...worst, waits: outcomes.reduce((sum, o) => sum + o.waits, 0) };
}

/** What the demo expects of each role; `--once` exits 0 only when every client matches. */
export function expectationProblems(summaries: readonly ClientSummary[]): string[] {
  const problems: string[] = [];
  for (const s of summaries) {
    const { role, name } = s.client;
    const expect = (ok: boolean, what: string) => {
      if (!ok) problems.push(`${name} (${role}): ${what}`);
    };
    if (role === 'unassigned') {
      expect(s.validation === 'no_access', `validation should record no_access, got ${s.validation}`);
      expect(
        s.jobs['refresh-cache'].state === 'missing',
        'should be left out of cache refresh once excluded',
      );
      continue;
    }
    expect(
      s.validation === (role === 'disabled' ? 'account_inactive' : 'active'),
      `unexpected validation outcome ${s.validation}`,
    );
    for (const task of DEMO_TASKS) {
      const job = s.jobs[task];
      expect(job.state === 'completed', `${task} job ${job.state}${job.error ? `: ${job.error}` : ''}`);
    }
    expect(s.monthCache && s.weekCache, 'month and week cache rows should exist');
    if (role !== 'disabled') {
      expect(s.daysCollected > 0, 'insights should have been collected');
      expect(
        s.monthlyRows > 0 && s.weeklyRows > 0,
        'monthly and weekly campaign_summaries rows should exist',
      );
    }
  }
  return problems;
}

/** A fixed-width table for a terminal. */
export function renderSummaryTable(summaries: readonly ClientSummary[]): string {
  const header = [
    'Client',
    'Ad account',
    'Validation',
    'Cache (month/week)',
    'Days',
    'Rows',
    'Summaries (m/w)',
    'Throttled',
    'Waits',
    'Jobs',
  ];
  const rows = summaries.map((s) => {
    const waits = DEMO_TASKS.reduce((sum, task) => sum + s.jobs[task].waits, 0);
    const jobs = DEMO_TASKS.map((task) => stateMark(s.jobs[task].state)).join(' ');
    return [
      truncate(s.client.name, 34),
      s.client.adAccountId,
      s.validation,
      `${s.monthCache ? 'yes' : 'no'}/${s.weekCache ? 'yes' : 'no'}`,
      String(s.daysCollected),
      String(s.insightRows),
      `${s.monthlyRows}/${s.weeklyRows}`,
      String(s.throttled),
      String(waits),
      jobs,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function stateMark(state: JobOutcome['state']): string {
  return { completed: 'ok', failed: 'FAIL', missing: '-', pending: '...' }[state];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
