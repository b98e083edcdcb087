/**
 * @module sandbox
 * The Meta sandbox in its own process (see processes/sandbox.ts), with compact account generation and
 * summed counters.
 */
import type { StartSandboxOptions } from '@meta-engine/meta-sandbox';
import { type ChildHandle, startChild } from './children.ts';

/** The shared token every benchmark uses (a sandbox token, not a secret). */
export const BENCH_TOKEN = 'bench-system-user-token-0001';

export interface AccountsSpec {
  count: number;
  /** Ad account ids are `idBase + index` (decimal). */
  idBase: number;
  campaigns?: number;
  adsetsPerCampaign?: number;
  adsPerAdset?: number;
  /** Per-account settings by index (e.g. quota classes): `perIndex[index % perIndex.length]`. */
  perIndex?: ReadonlyArray<Record<string, unknown>>;
}

export type SandboxSpec = Omit<StartSandboxOptions, 'accounts'> & { accounts: AccountsSpec };

export interface BucTotals {
  calls: number;
  throttles: number;
  errors: number;
}

export interface CounterTotals {
  /** HTTP requests the sandbox answered (every path, the admin API excluded). */
  requests: number;
  insights: BucTotals;
  management: BucTotals;
  /** Calls (any BUC) per account, for per-client figures. */
  perAccount: Record<string, number>;
  /** Accepted and throttled calls per account and BUC. */
  perAccountBuc: Record<string, Record<string, { calls: number; throttles: number }>>;
  app: { throttles: number; errors: number; tokenErrors: number };
}

interface CountersLike {
  accounts: Record<string, Record<string, { calls: number; throttles: number; errors: number }>>;
  app: { requests: number; throttles: number; errors: number; tokenErrors: number };
}

export function summarizeCounters(view: CountersLike): CounterTotals {
  const insights: BucTotals = { calls: 0, throttles: 0, errors: 0 };
  const management: BucTotals = { calls: 0, throttles: 0, errors: 0 };
  const perAccount: Record<string, number> = {};
  const perAccountBuc: CounterTotals['perAccountBuc'] = {};
  for (const [id, bucs] of Object.entries(view.accounts)) {
    let calls = 0;
    for (const [buc, c] of Object.entries(bucs)) {
      if (c.calls > 0 || c.throttles > 0) {
        perAccountBuc[id] ??= {};
        perAccountBuc[id][buc] = { calls: c.calls, throttles: c.throttles };
      }
      const target = buc === 'ads_insights' ? insights : management;
      target.calls += c.calls;
      target.throttles += c.throttles;
      target.errors += c.errors;
      calls += c.calls;
    }
    if (calls > 0) perAccount[id] = calls;
  }
  return {
    requests: view.app.requests,
    insights,
    management,
    perAccount,
    perAccountBuc,
    app: { throttles: view.app.throttles, errors: view.app.errors, tokenErrors: view.app.tokenErrors },
  };
}

export interface SandboxProcess {
  url: string;
  child: ChildHandle;
  counters(): Promise<CounterTotals>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

const SCRIPT = new URL('./processes/sandbox.ts', import.meta.url).pathname;

export function accountIds(spec: AccountsSpec): string[] {
  return Array.from({ length: spec.count }, (_, index) => String(spec.idBase + index));
}

export async function startSandboxProcess(spec: SandboxSpec): Promise<SandboxProcess> {
  const child = await startChild(SCRIPT, { BENCH_SANDBOX: JSON.stringify(spec) }, { label: 'meta sandbox' });
  return {
    url: String(child.ready.url),
    child,
    counters: async () => (await child.request('counters')).counters as CounterTotals,
    reset: async () => {
      await child.request('reset');
    },
    close: async () => {
      await child.close();
    },
  };
}
