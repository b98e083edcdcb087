/**
 * @module
 * The Ads Insights load of the app (reference §1.4): insights calls from every account per
 * sandbox second, behind `app_id_util_pct` and the optional code-4 load throttle.
 */
import { RollingWindow } from './rolling-window.ts';

const SECOND_MS = 1000;

/** Capacity used for `app_id_util_pct` when no per-second maximum is configured. */
const DEFAULT_CAPACITY_PER_SECOND = 50;

export class AppLoad {
  private insights = new RollingWindow(10);

  /**
   * Counts one insights call. Returns the load percent and whether it is over `maxPerSecond`
   * (null = always over; the call is then not counted).
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

  /** Percent of the per-second insights capacity in use (exact). */
  insightsPct(now: number, maxPerSecond: number | null): number {
    this.insights.prune(now, SECOND_MS);
    return (100 * this.insights.count) / (maxPerSecond ?? DEFAULT_CAPACITY_PER_SECOND);
  }

  reset(): void {
    this.insights.clear();
  }
}
