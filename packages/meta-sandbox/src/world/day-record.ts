/**
 * @module
 * Daily metrics of one ad on one calendar day, computed statelessly from the ad's key and the
 * day, so any day of any account can be produced on demand and always the same.
 *
 * A record is a flat vector (`METRIC_LAYOUT`): base metrics, then action counts, action values
 * (minor units), conversion counts and conversion values. Aggregation is vector addition, so
 * sums over ads, days and breakdown cells are always consistent (reach excepted: it is
 * de-duplicated per period in compute-insights). Restated days (`restatements.ts`) are applied
 * on top of the base record.
 */

import { weekday } from '../util/dates.ts';
import { mixKeys, mulberry32, roundStochastic } from '../util/hash.ts';
import {
  ACTION_INDEX,
  ACTION_TYPES,
  type ActionType,
  CONVERSION_INDEX,
  CONVERSION_TYPES,
} from './action-types.ts';
import type { AdModel } from './build-world.ts';
import type { RestatementFactors } from './restatements.ts';

export const M_IMPRESSIONS = 0;
export const M_REACH = 1;
export const M_CLICKS = 2;
export const M_INLINE_LINK_CLICKS = 3;
export const M_SPEND_CENTS = 4;
export const ACTIONS_OFFSET = 5;
export const ACTION_VALUES_OFFSET = ACTIONS_OFFSET + ACTION_TYPES.length;
export const CONVERSIONS_OFFSET = ACTION_VALUES_OFFSET + ACTION_TYPES.length;
export const CONVERSION_VALUES_OFFSET = CONVERSIONS_OFFSET + CONVERSION_TYPES.length;
export const METRIC_VECTOR_LENGTH = CONVERSION_VALUES_OFFSET + CONVERSION_TYPES.length;

export type MetricVector = Float64Array;

const MEMO_LIMIT = 60_000;
let memo = new WeakMap<AdModel, Map<number, MetricVector | null>>();
let memoSize = 0;

function action(vector: MetricVector, type: ActionType, count: number): void {
  vector[ACTIONS_OFFSET + ACTION_INDEX[type]] = count;
}

function actionValue(vector: MetricVector, type: ActionType, cents: number): void {
  vector[ACTION_VALUES_OFFSET + ACTION_INDEX[type]] = cents;
}

/** Whether the ad can deliver on `day` (inside its window and not before the account existed). */
export function adDelivers(ad: AdModel, day: number): boolean {
  return day >= ad.startDay && (ad.endDay === null || day <= ad.endDay);
}

function computeDayRecord(ad: AdModel, day: number, seedOffset = 0): MetricVector | null {
  if (!adDelivers(ad, day)) return null;
  const random = mulberry32(seedOffset === 0 ? mixKeys(ad.key, day) : mixKeys(ad.key, day, seedOffset));
  if (random() < 0.04) return null;
  const p = ad.profile;
  const dow = weekday(day);
  const weekFactor = dow === 0 || dow === 6 ? 0.85 : 1 + 0.05 * (dow % 3);
  const noise = 0.6 + random() * 0.8;
  const impressions = Math.max(1, Math.round(p.baseImpressions * weekFactor * noise));
  // Reach never exceeds impressions (daily frequency >= 1).
  const reach = Math.min(
    impressions,
    Math.max(1, Math.round(impressions / (p.reachFactor * (0.9 + 0.2 * random())))),
  );
  const clicks = roundStochastic(random, impressions * p.ctr * (0.8 + 0.4 * random()));
  const linkClicks = roundStochastic(random, clicks * p.linkShare);
  const spendCents = Math.max(1, Math.round(((impressions * p.cpmCents) / 1000) * (0.85 + 0.3 * random())));

  const vector = new Float64Array(METRIC_VECTOR_LENGTH);
  vector[M_IMPRESSIONS] = impressions;
  vector[M_REACH] = reach;
  vector[M_CLICKS] = clicks;
  vector[M_INLINE_LINK_CLICKS] = linkClicks;
  vector[M_SPEND_CENTS] = spendCents;

  const search = roundStochastic(random, linkClicks * p.searchRate);
  const viewContent = roundStochastic(random, linkClicks * p.viewContentRate);
  const checkout = roundStochastic(random, viewContent * p.checkoutRate);
  const purchase = roundStochastic(random, checkout * p.purchaseRate);
  const purchaseCents = Math.round(purchase * p.orderValueCents * (0.7 + 0.6 * random()));
  const checkoutCents = Math.round(checkout * p.orderValueCents * (0.8 + 0.4 * random()));
  const calls = roundStochastic(random, linkClicks * p.callRate);
  const connected = roundStochastic(random, calls * 0.6);
  const emails = roundStochastic(random, linkClicks * p.emailRate);
  const leads = roundStochastic(random, linkClicks * p.leadRate);
  const engagement = clicks + roundStochastic(random, impressions * 0.002);

  action(vector, 'link_click', linkClicks);
  action(vector, 'landing_page_view', roundStochastic(random, linkClicks * 0.8));
  action(vector, 'post_engagement', engagement);
  action(vector, 'page_engagement', engagement);

  const config = ad.account.config;
  action(vector, 'search', search);
  action(vector, 'offsite_conversion.fb_pixel_search', search);
  action(vector, 'view_content', viewContent);
  action(vector, 'offsite_conversion.fb_pixel_view_content', viewContent);
  action(vector, 'initiate_checkout', checkout);
  action(vector, 'offsite_conversion.fb_pixel_initiate_checkout', checkout);
  action(vector, 'purchase', purchase);
  action(vector, 'offsite_conversion.fb_pixel_purchase', purchase);
  actionValue(vector, 'offsite_conversion.fb_pixel_purchase', purchaseCents);
  actionValue(vector, 'purchase', purchaseCents);
  actionValue(vector, 'offsite_conversion.fb_pixel_initiate_checkout', checkoutCents);
  vector[CONVERSIONS_OFFSET + CONVERSION_INDEX['offsite_conversion.fb_pixel_purchase']] = purchase;
  vector[CONVERSION_VALUES_OFFSET + CONVERSION_INDEX['offsite_conversion.fb_pixel_purchase']] = purchaseCents;
  if (config.omniActions) {
    action(vector, 'omni_search', search);
    action(vector, 'omni_view_content', viewContent);
    action(vector, 'omni_initiated_checkout', checkout);
    action(vector, 'omni_purchase', purchase);
    actionValue(vector, 'omni_purchase', purchaseCents);
    actionValue(vector, 'omni_initiated_checkout', checkoutCents);
    vector[CONVERSIONS_OFFSET + CONVERSION_INDEX.omni_purchase] = purchase;
    vector[CONVERSION_VALUES_OFFSET + CONVERSION_INDEX.omni_purchase] = purchaseCents;
  }

  const callTypes = ad.account.callActionTypes;
  if (config.contactProfile === 'pbm_pixel') {
    action(vector, 'offsite_conversion.fb_pixel_custom', calls + emails);
    vector[
      CONVERSIONS_OFFSET +
        CONVERSION_INDEX['offsite_conversion.fb_pixel_custom.pbm - kliknięcie w numer telefonu']
    ] = calls;
    vector[
      CONVERSIONS_OFFSET +
        CONVERSION_INDEX['offsite_conversion.fb_pixel_custom.pbm - kliknięcie w adres e-mail']
    ] = emails;
  } else {
    const primary = callTypes[0] as ActionType | undefined;
    const secondary = callTypes[1] as ActionType | undefined;
    if (primary) action(vector, primary, calls);
    if (secondary) action(vector, secondary, connected);
    if (config.contactProfile === 'pbm_custom') {
      action(vector, 'offsite_conversion.custom.2770488499782793', emails);
    }
  }
  if (leads > 0) {
    action(vector, 'lead', leads);
    action(vector, 'onsite_conversion.lead_grouped', leads);
  }
  return vector;
}

/** The (memoised) base metric vector of `ad` on `day`, or null when it did not deliver. */
function baseDayRecord(ad: AdModel, day: number): MetricVector | null {
  let perAd = memo.get(ad);
  if (perAd === undefined) {
    perAd = new Map();
    memo.set(ad, perAd);
  }
  const cached = perAd.get(day);
  if (cached !== undefined) return cached;
  const record = computeDayRecord(ad, day);
  if (memoSize >= MEMO_LIMIT) {
    memo = new WeakMap();
    memoSize = 0;
    perAd = new Map();
    memo.set(ad, perAd);
  }
  perAd.set(day, record);
  memoSize++;
  return record;
}

/** Action types that follow the clicks factor of a restatement (the rest follow conversions). */
const CLICK_ACTIONS = new Set<string>([
  'link_click',
  'landing_page_view',
  'post_engagement',
  'page_engagement',
]);

/** A record with a restatement's factors applied (integers; reach stays within 1..impressions). */
export function scaleRecord(record: MetricVector, factors: RestatementFactors): MetricVector | null {
  const out = new Float64Array(record.length);
  const impressions = Math.round((record[M_IMPRESSIONS] ?? 0) * factors.impressions);
  out[M_IMPRESSIONS] = impressions;
  const reach = Math.round((record[M_REACH] ?? 0) * factors.reach);
  out[M_REACH] = Math.min(impressions, Math.max(impressions > 0 ? 1 : 0, reach));
  out[M_CLICKS] = Math.round((record[M_CLICKS] ?? 0) * factors.clicks);
  out[M_INLINE_LINK_CLICKS] = Math.round((record[M_INLINE_LINK_CLICKS] ?? 0) * factors.clicks);
  out[M_SPEND_CENTS] = Math.round((record[M_SPEND_CENTS] ?? 0) * factors.spend);
  for (let i = 0; i < ACTION_TYPES.length; i++) {
    const factor = CLICK_ACTIONS.has(ACTION_TYPES[i] ?? '') ? factors.clicks : factors.conversions;
    out[ACTIONS_OFFSET + i] = Math.round((record[ACTIONS_OFFSET + i] ?? 0) * factor);
    out[ACTION_VALUES_OFFSET + i] = Math.round((record[ACTION_VALUES_OFFSET + i] ?? 0) * factors.conversions);
  }
  for (let i = 0; i < CONVERSION_TYPES.length; i++) {
    out[CONVERSIONS_OFFSET + i] = Math.round((record[CONVERSIONS_OFFSET + i] ?? 0) * factors.conversions);
    out[CONVERSION_VALUES_OFFSET + i] = Math.round(
      (record[CONVERSION_VALUES_OFFSET + i] ?? 0) * factors.conversions,
    );
  }
  return impressions === 0 && out[M_SPEND_CENTS] === 0 ? null : out;
}

/** The record after the account's restatements that cover (ad, day), applied in order. */
function restatedRecord(ad: AdModel, day: number): MetricVector | null {
  const account = ad.account;
  const key = `${ad.order}:${day}`;
  const cached = account.restatedMemo.get(key);
  if (cached !== undefined) return cached;
  let record = baseDayRecord(ad, day);
  for (const restatement of account.restatements) {
    if (day < restatement.since || day > restatement.until) continue;
    if (restatement.campaignIds !== null && !restatement.campaignIds.has(ad.campaign.id)) continue;
    if (restatement.seedOffset !== null) record = computeDayRecord(ad, day, restatement.seedOffset);
    if (record !== null) record = scaleRecord(record, restatement.factors);
  }
  if (account.restatedMemo.size >= MEMO_LIMIT) account.restatedMemo.clear();
  account.restatedMemo.set(key, record);
  return record;
}

/** The metric vector of `ad` on `day` (restatements included), or null when it did not deliver. */
export function dayRecord(ad: AdModel, day: number): MetricVector | null {
  const restatements = ad.account.restatements;
  if (restatements.length > 0) {
    for (const restatement of restatements) {
      if (day >= restatement.since && day <= restatement.until) return restatedRecord(ad, day);
    }
  }
  return baseDayRecord(ad, day);
}
