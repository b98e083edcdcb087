/**
 * @module console/console-service
 * What the operator console, `/api/clients` and `producer status --clients` read and do, on the producer's
 * ports. Reads are batched whatever the client count: the database's overview function (one request per
 * 1,000 clients), ONE limiter call listing every blocked account, and the token state; they run at once.
 * Actions reuse what exists: a re-validation, refresh or collection of one client is an on-demand run
 * through the same `requestRun` fan-out as `POST /api/runs`; blocks are lifted with the limiter's own
 * operator calls; a pause is a row in `meta_client_controls` that the fan-out honours.
 */

import type { ClientTask } from '@meta-engine/queue';
import type { RunRequest } from '../fanout/run-request.ts';
import type { RunProgress } from '../fanout/run-store.ts';
import type {
  AccountThrottleState,
  ClientConsoleStore,
  LimiterControl,
  PauseControl,
  ThrottleList,
  ThrottleReader,
  TokenStateStore,
} from '../ports.ts';
import type { ClientJob, ClientJobsReader } from './client-jobs.ts';
import {
  buildClientRow,
  buildClientRows,
  type ClientQuery,
  type ClientRow,
  type ClientSelection,
  selectClients,
} from './client-view.ts';
import {
  type FreshnessObjectives,
  type ObjectiveName,
  type ObjectiveSummary,
  summarizeFreshness,
} from './freshness.ts';
import { buildTokenPanel, type TokenPanel } from './token-view.ts';

/** The limiter lists at most this many blocked (account, use case) pairs in one call. */
const THROTTLE_LIST_LIMIT = 1000;

export interface ConsoleDeps {
  store: ClientConsoleStore;
  throttles: ThrottleReader;
  limiter: LimiterControl;
  tokenState: TokenStateStore;
  pauses: PauseControl;
  /** Fingerprint of the token in this producer's environment, when configured. */
  configuredFingerprint: string | null;
  /** The on-demand run path of `POST /api/runs` (requestRun), and run progress. */
  runs: {
    start(request: RunRequest): Promise<{ runId: string }>;
    progress(runId: string): Promise<RunProgress | null>;
  };
  jobs: ClientJobsReader;
  objectives: FreshnessObjectives;
  now?: () => Date;
}

export interface ClientsView extends ClientSelection {
  generatedAt: string;
  objectives: FreshnessObjectives;
  token: TokenPanel | { error: string };
  /** The limiter had more blocked pairs than one call lists: blocks of the rest are not shown. */
  throttleListTruncated: boolean;
  /** Clients in the database (before filtering). */
  total: number;
}

export interface ValidationView {
  checkedAt: string;
  outcome: string;
  accountStatus: number | null;
  accountName: string | null;
  currency: string | null;
  timezone: string | null;
  error: string | null;
  apiStatusBefore: string | null;
  apiStatusAfter: string | null;
  runId: string | null;
}

export interface ClientDetail {
  generatedAt: string;
  client: ClientRow;
  validations: ValidationView[];
  jobs: ClientJob[];
  /** The limiter's state of its ad account (null when the id is malformed). */
  throttle: AccountThrottleState | null;
  appBlock: { until: string; reason: string } | null;
  objectives: FreshnessObjectives;
}

const RUN_ACTIONS = {
  revalidate: 'validate',
  refresh: 'refresh-cache',
  collect: 'collect-insights',
} as const;
export const CLIENT_ACTIONS = [
  'revalidate',
  'refresh',
  'collect',
  'clear-blocks',
  'pause',
  'resume',
] as const;
export type ClientAction = (typeof CLIENT_ACTIONS)[number];

export type ActionResult =
  | { status: 'run-started'; task: ClientTask; runId: string }
  | { status: 'blocks-cleared'; adAccountId: string }
  | { status: 'paused' | 'resumed' }
  | { status: 'refused'; reason: string };

export class ClientNotFoundError extends Error {
  override readonly name = 'ClientNotFoundError';
  constructor(clientId: string) {
    super(`no client ${clientId.slice(0, 80)} with an ad account`);
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function toValidationView(row: Record<string, unknown>): ValidationView {
  const code = [num(row.error_code), num(row.error_subcode)].filter((n) => n !== null).join('/');
  const message = text(row.error_message);
  return {
    checkedAt: String(row.checked_at ?? ''),
    outcome: String(row.outcome ?? ''),
    accountStatus: num(row.account_status),
    accountName: text(row.account_name),
    currency: text(row.currency),
    timezone: text(row.timezone_name),
    error: message ? `${code ? `${code} ` : ''}${message}` : null,
    apiStatusBefore: text(row.api_status_before),
    apiStatusAfter: text(row.api_status_after),
    runId: text(row.run_id),
  };
}

export interface ConsoleService {
  readonly objectives: FreshnessObjectives;
  clients(query: ClientQuery): Promise<ClientsView>;
  client(clientId: string): Promise<ClientDetail | null>;
  runProgress(runId: string): Promise<RunProgress | null>;
  /** Per objective: meeting, not meeting, oldest age. Cached for `maxAgeMs` (metrics scrapes). */
  freshnessSummary(maxAgeMs?: number): Promise<Record<ObjectiveName, ObjectiveSummary>>;
  act(
    clientId: string,
    action: ClientAction,
    input?: { reason?: string | null; by?: string | null },
  ): Promise<ActionResult>;
  clearAppBlock(): Promise<void>;
}

export function createConsoleService(deps: ConsoleDeps): ConsoleService {
  const now = deps.now ?? (() => new Date());
  let cachedSummary: { at: number; value: Record<ObjectiveName, ObjectiveSummary> } | null = null;

  /** The token panel's reads, at once with the clients; the app-wide block comes with the limiter's list. */
  async function tokenPanel(): Promise<(appBlock: ThrottleList['app']) => TokenPanel | { error: string }> {
    try {
      const [stored, lastRotation, queues] = await Promise.all([
        deps.tokenState.latest(),
        deps.tokenState.lastRotation(),
        deps.pauses.states(),
      ]);
      const configured = deps.configuredFingerprint;
      return (appBlock) => buildTokenPanel({ stored, lastRotation, configured, queues, appBlock });
    } catch (error) {
      return () => ({ error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function readAll(): Promise<{ rows: ClientRow[]; throttles: ThrottleList; at: Date }> {
    const [facts, throttles] = await Promise.all([
      deps.store.listFacts(),
      deps.throttles.listThrottled(THROTTLE_LIST_LIMIT),
    ]);
    const at = now();
    return { rows: buildClientRows(facts, throttles, deps.objectives, at), throttles, at };
  }

  async function mustExist(clientId: string) {
    const facts = await deps.store.getFacts(clientId);
    if (!facts) throw new ClientNotFoundError(clientId);
    return facts;
  }

  return {
    objectives: deps.objectives,
    async clients(query) {
      const [{ rows, throttles, at }, panel] = await Promise.all([readAll(), tokenPanel()]);
      return {
        ...selectClients(rows, query),
        generatedAt: at.toISOString(),
        objectives: deps.objectives,
        token: panel(throttles.app),
        throttleListTruncated: throttles.total > throttles.accounts.length,
        total: rows.length,
      };
    },
    async client(clientId) {
      const facts = await deps.store.getFacts(clientId);
      if (!facts) return null;
      const [throttles, validations, jobs] = await Promise.all([
        deps.throttles.listThrottled(THROTTLE_LIST_LIMIT),
        deps.store.recentValidations(facts.id, 20),
        deps.jobs.recent(facts.id, 20),
      ]);
      const at = now();
      const row = buildClientRows([facts], throttles, deps.objectives, at)[0]!;
      const throttle = row.adAccountValid ? await deps.limiter.accountState(row.adAccountId) : null;
      return {
        generatedAt: at.toISOString(),
        client: row,
        validations: validations.map(toValidationView),
        jobs,
        throttle,
        appBlock: throttles.app
          ? { until: throttles.app.until.toISOString(), reason: throttles.app.reason }
          : null,
        objectives: deps.objectives,
      };
    },
    runProgress: (runId) => deps.runs.progress(runId),
    async freshnessSummary(maxAgeMs = 30_000) {
      const started = Date.now();
      if (cachedSummary && started - cachedSummary.at < maxAgeMs) return cachedSummary.value;
      const { rows } = await readAll();
      cachedSummary = { at: started, value: summarizeFreshness(rows.map((r) => r.freshness)) };
      return cachedSummary.value;
    },
    async act(clientId, action, input = {}) {
      const facts = await mustExist(clientId);
      const paused = facts.control?.paused === true;
      switch (action) {
        case 'revalidate':
        case 'refresh':
        case 'collect': {
          const task = RUN_ACTIONS[action];
          if (paused) return { status: 'refused', reason: 'the client is paused: resume it first' };
          const { runId } = await deps.runs.start({ task, clientIds: [facts.id] });
          return { status: 'run-started', task, runId };
        }
        case 'clear-blocks': {
          const row = buildClientRow(facts, [], deps.objectives, now());
          if (!row.adAccountValid) return { status: 'refused', reason: 'the ad account id is malformed' };
          await deps.limiter.clearAccountBlocks(row.adAccountId);
          return { status: 'blocks-cleared', adAccountId: row.adAccountId };
        }
        case 'pause':
        case 'resume':
          await deps.store.setPaused({
            clientId: facts.id,
            paused: action === 'pause',
            reason: action === 'pause' ? (input.reason ?? null) : null,
            by: input.by ?? null,
          });
          cachedSummary = null;
          return { status: action === 'pause' ? 'paused' : 'resumed' };
      }
    },
    clearAppBlock: () => deps.limiter.clearAppBlock(),
  };
}
