/**
 * @module
 * The Business-Use-Case limiter: one rolling window per (ad account, BUC) on the sandbox clock.
 * `call_count = 100 * calls / quota`. A call that finds the window full (call_count >= 100)
 * starts a block; while blocked every call is throttled. Every answer at 100 % or more
 * (including the accepted call that used the last unit of quota) reports
 * `estimated_time_to_regain_access` in whole minutes, rounded up (reference §8).
 */
import type { BucType } from '../config/schema.ts';
import { RollingWindow } from './rolling-window.ts';

/** Window resolution: calls within one sandbox second share an entry (bounded memory). */
const SLOT_MS = 1000;

export interface BucLimitSettings {
  windowMs: number;
  /** Fixed block length, or 'window': blocked until the window has room again. */
  blockMs: number | 'window';
  /** False: calls are counted but never refused (rate limits disabled). Default true. */
  enforce?: boolean;
}

export interface BucUsage {
  type: BucType;
  calls: number;
  quota: number;
  /** Whole percent of the quota used (rounded down; at least 100 while blocked), may exceed 100. */
  callCount: number;
  /** Exact percent of the quota used (at least 100 while blocked). */
  callPct: number;
  /** Exact percent behind `total_time` / `total_cputime` (half the cost share, capped at 999). */
  timePct: number;
  /** Whole minutes until calls are accepted again (0 when not blocked). */
  regainMinutes: number;
  /** Sandbox-clock ms until the window is empty or the block ends. */
  resetMs: number;
  blockedUntil: number;
}

export interface BucDecision {
  allowed: boolean;
  usage: BucUsage;
}

interface Bucket {
  window: RollingWindow;
  blockedUntil: number;
  /** Set for fixed-length blocks: the window restarts when the block ends. */
  clearOnUnblock: boolean;
  errors: RollingWindow;
}

export class BucLimiter {
  private buckets = new Map<string, Bucket>();

  private bucket(accountId: string, buc: BucType): Bucket {
    const key = `${accountId}:${buc}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        window: new RollingWindow(SLOT_MS),
        blockedUntil: 0,
        clearOnUnblock: false,
        errors: new RollingWindow(SLOT_MS),
      };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private refresh(bucket: Bucket, now: number, settings: BucLimitSettings): void {
    if (bucket.blockedUntil !== 0 && now >= bucket.blockedUntil) {
      if (bucket.clearOnUnblock) bucket.window.clear();
      bucket.blockedUntil = 0;
      bucket.clearOnUnblock = false;
    }
    bucket.window.prune(now, settings.windowMs);
    bucket.errors.prune(now, settings.windowMs);
  }

  /** Errors (non-throttle) the account received in the window, for the ads_insights formula. */
  userErrors(accountId: string, buc: BucType, now: number, settings: BucLimitSettings): number {
    const bucket = this.bucket(accountId, buc);
    this.refresh(bucket, now, settings);
    return bucket.errors.count;
  }

  recordError(accountId: string, buc: BucType, now: number): void {
    this.bucket(accountId, buc).errors.push(now);
  }

  /**
   * Counts one call if the bucket has room; otherwise starts or continues a block.
   * `cost` feeds total_time / total_cputime (1 = a simple read). With `enforce` false the call
   * is counted and never blocked (rate limits disabled: headers only).
   */
  check(
    accountId: string,
    buc: BucType,
    now: number,
    quota: number,
    settings: BucLimitSettings,
    cost = 1,
    enforce = true,
  ): BucDecision {
    const bucket = this.bucket(accountId, buc);
    this.refresh(bucket, now, settings);
    if (!enforce) {
      bucket.window.push(now, cost);
      return { allowed: true, usage: this.describe(bucket, buc, now, quota, settings) };
    }
    if (bucket.blockedUntil > now)
      return { allowed: false, usage: this.describe(bucket, buc, now, quota, settings) };
    if (bucket.window.count >= quota) {
      if (settings.blockMs === 'window') {
        // Blocked until enough calls leave the window for one more call to fit.
        const excess = bucket.window.count - Math.ceil(quota) + 1;
        const leaving = bucket.window.at(Math.max(0, excess - 1)) ?? now;
        bucket.blockedUntil = Math.max(now + 1, leaving + settings.windowMs);
        bucket.clearOnUnblock = false;
      } else {
        bucket.blockedUntil = now + settings.blockMs;
        bucket.clearOnUnblock = true;
      }
      return { allowed: false, usage: this.describe(bucket, buc, now, quota, settings) };
    }
    bucket.window.push(now, cost);
    if (settings.blockMs !== 'window' && bucket.window.count >= quota) {
      // The call that uses the last unit of quota starts the fixed block (and reports it).
      bucket.blockedUntil = now + settings.blockMs;
      bucket.clearOnUnblock = true;
    }
    return { allowed: true, usage: this.describe(bucket, buc, now, quota, settings) };
  }

  /** Current usage without counting a call. */
  peek(accountId: string, buc: BucType, now: number, quota: number, settings: BucLimitSettings): BucUsage {
    const bucket = this.bucket(accountId, buc);
    this.refresh(bucket, now, settings);
    return this.describe(bucket, buc, now, quota, settings);
  }

  private describe(
    bucket: Bucket,
    buc: BucType,
    now: number,
    quota: number,
    settings: BucLimitSettings,
  ): BucUsage {
    const calls = bucket.window.count;
    const blocked = bucket.blockedUntil > now;
    const exact = (100 * calls) / quota;
    const callPct = blocked ? Math.max(100, exact) : exact;
    const newest = bucket.window.newest();
    const windowResetMs = newest === undefined ? 0 : Math.max(0, newest + settings.windowMs - now);
    let regainMs = blocked ? bucket.blockedUntil - now : 0;
    if (!blocked && calls >= quota && settings.enforce !== false && settings.blockMs === 'window') {
      // Full but not yet refused: one more call fits once enough calls have left the window.
      const leaving = bucket.window.at(Math.max(0, calls - Math.ceil(quota)));
      if (leaving !== undefined) regainMs = Math.max(1, leaving + settings.windowMs - now);
    }
    return {
      type: buc,
      calls,
      quota,
      callCount: Math.floor(callPct),
      callPct,
      timePct: Math.min(999, (100 * bucket.window.cost) / (quota * 2)),
      regainMinutes: Math.ceil(regainMs / 60_000),
      resetMs: blocked ? bucket.blockedUntil - now : windowResetMs,
      blockedUntil: blocked ? bucket.blockedUntil : 0,
    };
  }

  /** Every (account, BUC) with state, for the admin counters. */
  keys(): Array<{ accountId: string; buc: BucType }> {
    return [...this.buckets.keys()].map((key) => {
      const [accountId, buc] = key.split(':') as [string, BucType];
      return { accountId, buc };
    });
  }

  reset(): void {
    this.buckets.clear();
  }
}
