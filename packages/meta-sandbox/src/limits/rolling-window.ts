/**
 * @module
 * A rolling time window of weighted events (sandbox-clock milliseconds), amortised O(1).
 */

export class RollingWindow {
  private times: number[] = [];
  private costs: number[] = [];
  private head = 0;
  private costSum = 0;

  /** Drops events older than `windowMs` before `now`. */
  prune(now: number, windowMs: number): void {
    const cutoff = now - windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= cutoff) {
      this.costSum -= this.costs[this.head] ?? 0;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.times.length) this.costSum = 0;
  }

  push(now: number, cost = 1): void {
    this.times.push(now);
    this.costs.push(cost);
    this.costSum += cost;
  }

  /** Events currently in the window (call `prune` first). */
  get count(): number {
    return this.times.length - this.head;
  }

  /** Sum of event costs currently in the window. */
  get cost(): number {
    return this.costSum;
  }

  /** Time of the k-th oldest event still in the window (0 = oldest), or undefined. */
  at(k: number): number | undefined {
    return this.times[this.head + k];
  }

  /** Time of the newest event, or undefined. */
  newest(): number | undefined {
    return this.count > 0 ? this.times[this.times.length - 1] : undefined;
  }

  clear(): void {
    this.times = [];
    this.costs = [];
    this.head = 0;
    this.costSum = 0;
  }
}
