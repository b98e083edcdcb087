/**
 * @module
 * App-level counters: the Ads Insights load (insights calls per sandbox second, all accounts,
 * behind `app_id_util_pct` and the optional code-4 throttle) and the platform call window behind
 * `X-App-Usage`.
 */
import { RollingWindow } from './rolling-window.ts';

const SECOND_MS = 1000;

export class AppLoad {
  private insights = new RollingWindow(10);
  private calls = new RollingWindow(1000);

  /**
   * Counts one insights call. Returns the load percent before the call and whether it is over
   * `maxPerSecond` (null = always over; the call is then not counted).
   */
  insightsCall(
    now: number,
    enabled: boolean,
    maxPerSecond: number | null,
  ): { throttled: boolean; pct: number } {
    this.insights.prune(now, SECOND_MS);
    const pct = this.insightsPct(now, maxPerSecond);
    if (enabled && (maxPerSecond === null || this.insights.count >= maxPerSecond)) {
      return { throttled: true, pct: Math.max(100, pct) };
    }
    this.insights.push(now);
    return { throttled: false, pct: this.insightsPct(now, maxPerSecond) };
  }

  /** `app_id_util_pct`: percent of the per-second insights capacity in use (2 decimals). */
  insightsPct(now: number, maxPerSecond: number | null): number {
    this.insights.prune(now, SECOND_MS);
    const capacity = maxPerSecond ?? 50;
    return Math.round((10_000 * this.insights.count) / capacity) / 100;
  }

  /** Counts one Graph call in the platform window. */
  call(now: number, windowMs: number): void {
    this.calls.prune(now, windowMs);
    this.calls.push(now);
  }

  /** `X-App-Usage` values (integers). */
  appUsage(
    now: number,
    windowMs: number,
    quota: number,
  ): { call_count: number; total_time: number; total_cputime: number } {
    this.calls.prune(now, windowMs);
    const callCount = Math.floor((100 * this.calls.count) / quota);
    const time = Math.floor(callCount / 2);
    return { call_count: callCount, total_time: time, total_cputime: time };
  }

  reset(): void {
    this.insights.clear();
    this.calls.clear();
  }
}
