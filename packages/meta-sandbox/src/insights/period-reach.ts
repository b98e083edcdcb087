/**
 * @module
 * Period-level reach (reference §3.1 fields; issue 13): reach over several days or several ads
 * counts each person once, so it is not the sum of daily or per-ad reach. The model: each ad
 * reaches people of its own audience (`ad.audience`), a day's reach being a random draw from it;
 * the account's ads share one population (`account.audience`) with overlapping audiences. With
 * independent draws the union has a closed form that only needs running sums of
 * `-log(1 - r / audience)`, so any time bucket, level and breakdown cell is computed in one pass:
 *
 * - per ad over the period: `U = A_ad * (1 - prod_d (1 - r_d / A_ad))`;
 * - over the ads: `R = A_acc * (1 - prod_ad (1 - U_ad / A_acc))`;
 * - a day's reach of the group is the same formula over that day's records.
 *
 * The result is clamped to [largest daily reach, sum of daily reach] of the same group, so those
 * bounds hold exactly after rounding, and a one-day bucket equals the daily value.
 */
import type { AdModel } from '../world/build-world.ts';

/** A share of an audience reached in one draw never reaches 100 % (keeps the logs finite). */
const MAX_SHARE = 0.98;

function logMiss(reach: number, audience: number): number {
  return -Math.log1p(-Math.min(reach / audience, MAX_SHARE));
}

export class PeriodReach {
  private readonly perAd = new Map<AdModel, number>();
  private day = Number.NaN;
  private dayLog = 0;
  private largestDaily = 0;
  private sumDaily = 0;
  private readonly population: number;

  /** `population`: the account's audience. */
  constructor(population: number) {
    this.population = population;
  }

  /** Adds one ad-day record's reach; days must come in increasing order. */
  add(ad: AdModel, day: number, reach: number): void {
    if (reach <= 0) return;
    if (day !== this.day) {
      this.closeDay();
      this.day = day;
    }
    this.perAd.set(ad, (this.perAd.get(ad) ?? 0) + logMiss(reach, ad.audience));
    this.dayLog += logMiss(reach, this.population);
  }

  private closeDay(): void {
    if (this.dayLog === 0) return;
    const daily = Math.round(-this.population * Math.expm1(-this.dayLog));
    this.largestDaily = Math.max(this.largestDaily, daily);
    this.sumDaily += daily;
    this.dayLog = 0;
  }

  /** The period's reach (integer). */
  total(): number {
    this.closeDay();
    this.day = Number.NaN;
    let log = 0;
    for (const [ad, adLog] of this.perAd) {
      log += logMiss(-ad.audience * Math.expm1(-adLog), this.population);
    }
    const model = Math.round(-this.population * Math.expm1(-log));
    return Math.min(this.sumDaily, Math.max(this.largestDaily, model));
  }
}
