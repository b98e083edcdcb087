/**
 * @module
 * The app-wide call budget (reference §1.4, §1.5 `X-App-Usage`): one rolling window of calls for
 * the whole app, shared by every ad account, the token's own calls (`/me`, `/debug_token`) and
 * each batch item. Meta throttles the whole app with code 4 once it is used up, so a client must
 * pace every account together by this usage. Reported always; refused only when enforced.
 */
import { RollingWindow } from './rolling-window.ts';

/** Window resolution: calls within one sandbox second share an entry (bounded memory). */
const SLOT_MS = 1000;

export interface AppBudgetSettings {
  windowMs: number;
  callsPerWindow: number;
  enforce: boolean;
}

export interface AppBudgetUsage {
  calls: number;
  quota: number;
  /** Exact percent of the budget used (at least 100 on a refused call). */
  callPct: number;
  /** Exact percent behind `total_time` / `total_cputime` (half the call share). */
  timePct: number;
}

export class AppBudget {
  private window = new RollingWindow(SLOT_MS);
  private refused = 0;

  /**
   * Counts one call when the budget has room. When enforced and the window already holds
   * `callsPerWindow` calls, the call is refused (and not counted) until calls leave the window.
   */
  call(now: number, settings: AppBudgetSettings): { allowed: boolean; usage: AppBudgetUsage } {
    this.window.prune(now, settings.windowMs);
    if (settings.enforce && this.window.count >= settings.callsPerWindow) {
      this.refused++;
      return { allowed: false, usage: this.describe(settings, true) };
    }
    this.window.push(now);
    return { allowed: true, usage: this.describe(settings, false) };
  }

  peek(now: number, settings: AppBudgetSettings): AppBudgetUsage {
    this.window.prune(now, settings.windowMs);
    return this.describe(settings, false);
  }

  /** Calls refused since the last reset. */
  get refusedCalls(): number {
    return this.refused;
  }

  private describe(settings: AppBudgetSettings, refused: boolean): AppBudgetUsage {
    const calls = this.window.count;
    const exact = (100 * calls) / settings.callsPerWindow;
    const callPct = refused ? Math.max(100, exact) : exact;
    return { calls, quota: settings.callsPerWindow, callPct, timePct: callPct / 2 };
  }

  reset(): void {
    this.window.clear();
    this.refused = 0;
  }
}
