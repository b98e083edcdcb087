/**
 * @module
 * Request counters for the admin API: per ad account and BUC (calls, throttles sent, errors
 * sent) and app-wide totals.
 */
import type { BucType } from './config/schema.ts';

export interface BucCounters {
  calls: number;
  throttles: number;
  errors: number;
}

export interface AppCounters {
  requests: number;
  batchRequests: number;
  batchItems: number;
  hangs: number;
  malformed: number;
  injectedServerErrors: number;
  tokenErrors: number;
  /** Calls refused because the app-wide budget was used up (also counted in `throttles`). */
  appBudgetThrottles: number;
  /** Answers changed by a quirk fault (`bareErrorRate`, `errorIn200Rate`). */
  quirks: number;
  throttles: number;
  errors: number;
  byStatus: Record<string, number>;
}

function emptyApp(): AppCounters {
  return {
    requests: 0,
    batchRequests: 0,
    batchItems: 0,
    hangs: 0,
    malformed: 0,
    injectedServerErrors: 0,
    tokenErrors: 0,
    appBudgetThrottles: 0,
    quirks: 0,
    throttles: 0,
    errors: 0,
    byStatus: {},
  };
}

export class Counters {
  private accounts = new Map<string, Record<BucType, BucCounters>>();
  app: AppCounters = emptyApp();

  bucket(accountId: string, buc: BucType): BucCounters {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = {
        ads_insights: { calls: 0, throttles: 0, errors: 0 },
        ads_management: { calls: 0, throttles: 0, errors: 0 },
      };
      this.accounts.set(accountId, account);
    }
    return account[buc];
  }

  status(status: number): void {
    const key = String(status);
    this.app.byStatus[key] = (this.app.byStatus[key] ?? 0) + 1;
  }

  snapshot(): { accounts: Record<string, Record<BucType, BucCounters>>; app: AppCounters } {
    const accounts: Record<string, Record<BucType, BucCounters>> = {};
    for (const [id, value] of this.accounts) {
      accounts[id] = { ads_insights: { ...value.ads_insights }, ads_management: { ...value.ads_management } };
    }
    return { accounts, app: { ...this.app, byStatus: { ...this.app.byStatus } } };
  }

  reset(): void {
    this.accounts.clear();
    this.app = emptyApp();
  }
}
