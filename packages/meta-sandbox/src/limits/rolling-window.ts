/**
 * @module
 * A rolling time window of weighted events (sandbox-clock milliseconds), amortised O(1).
 * Events closer than `slotMs` to the previous one share its entry, so memory stays bounded by
 * windowMs / slotMs however many calls arrive (an entry leaves the window with its first event).
 */

export class RollingWindow {
  private times: number[] = [];
  private counts: number[] = [];
  private costs: number[] = [];
  private head = 0;
  private total = 0;
  private costSum = 0;
  private readonly slotMs: number;

  constructor(slotMs = 0) {
    this.slotMs = slotMs;
  }

  /** Drops events older than `windowMs` before `now`. */
  prune(now: number, windowMs: number): void {
    const cutoff = now - windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= cutoff) {
      this.total -= this.counts[this.head] ?? 0;
      this.costSum -= this.costs[this.head] ?? 0;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.times.length) {
      this.total = 0;
      this.costSum = 0;
    }
  }

  push(now: number, cost = 1): void {
    const last = this.times.length - 1;
    if (last >= this.head && this.slotMs > 0 && now - (this.times[last] ?? 0) < this.slotMs) {
      this.counts[last] = (this.counts[last] ?? 0) + 1;
      this.costs[last] = (this.costs[last] ?? 0) + cost;
    } else {
      this.times.push(now);
      this.counts.push(1);
      this.costs.push(cost);
    }
    this.total++;
    this.costSum += cost;
  }

  /** Events currently in the window (call `prune` first). */
  get count(): number {
    return this.total;
  }

  /** Sum of event costs currently in the window. */
  get cost(): number {
    return this.costSum;
  }

  /** Time of the entry holding the k-th oldest event (0 = oldest), or undefined. */
  at(k: number): number | undefined {
    let seen = 0;
    for (let i = this.head; i < this.times.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen > k) return this.times[i];
    }
    return undefined;
  }

  /** Time of the newest entry, or undefined. */
  newest(): number | undefined {
    return this.total > 0 ? this.times[this.times.length - 1] : undefined;
  }

  clear(): void {
    this.times = [];
    this.counts = [];
    this.costs = [];
    this.head = 0;
    this.total = 0;
    this.costSum = 0;
  }
}
