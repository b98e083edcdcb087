/**
 * @module
 * The ad-account "score" limiter (reference §1.3), off by default: every call scores points
 * (read 1, write 3); points decay after `decaySeconds`; a call that would push the score past
 * `maxScore` blocks the account for `blockSeconds`. Errors 17/2446079 or 613/1487742.
 */
import { RollingWindow } from './rolling-window.ts';

export interface ScoreSettings {
  maxScore: number;
  decayMs: number;
  blockMs: number;
}

export interface ScoreState {
  allowed: boolean;
  score: number;
  maxScore: number;
  /** Percent of the max score in use (2 decimals). */
  utilPct: number;
  /** Sandbox ms until the score is 0 again or the block ends. */
  resetMs: number;
  blockedUntil: number;
}

interface Account {
  points: RollingWindow;
  blockedUntil: number;
}

export class ScoreLimiter {
  private accounts = new Map<string, Account>();

  private account(accountId: string): Account {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = { points: new RollingWindow(1000), blockedUntil: 0 };
      this.accounts.set(accountId, account);
    }
    return account;
  }

  check(accountId: string, now: number, cost: number, settings: ScoreSettings): ScoreState {
    const account = this.account(accountId);
    account.points.prune(now, settings.decayMs);
    if (account.blockedUntil > now) return this.describe(account, now, settings, false);
    if (account.points.cost + cost > settings.maxScore) {
      account.blockedUntil = now + settings.blockMs;
      account.points.clear();
      return this.describe(account, now, settings, false);
    }
    account.points.push(now, cost);
    return this.describe(account, now, settings, true);
  }

  peek(accountId: string, now: number, settings: ScoreSettings): ScoreState {
    const account = this.account(accountId);
    account.points.prune(now, settings.decayMs);
    return this.describe(account, now, settings, account.blockedUntil <= now);
  }

  private describe(account: Account, now: number, settings: ScoreSettings, allowed: boolean): ScoreState {
    const blocked = account.blockedUntil > now;
    const score = blocked ? settings.maxScore : account.points.cost;
    const newest = account.points.newest();
    return {
      allowed,
      score,
      maxScore: settings.maxScore,
      utilPct: Math.round((10_000 * score) / settings.maxScore) / 100,
      resetMs: blocked
        ? account.blockedUntil - now
        : newest === undefined
          ? 0
          : Math.max(0, newest + settings.decayMs - now),
      blockedUntil: blocked ? account.blockedUntil : 0,
    };
  }

  reset(): void {
    this.accounts.clear();
  }
}
