/**
 * @module
 * The synthetic world: ad accounts with campaigns, ad sets and ads, derived from the seed alone.
 * Structure is built once; daily metrics are computed on demand (`day-record.ts`).
 */
import type { AccessTier, AccountSpec, BucType, ContactProfile } from '../config/schema.ts';
import { DAY_MS, formatIsoDay, fromYmd, parseIsoDay } from '../util/dates.ts';
import { hashParts, mulberry32, numericId, type Random, randomBetween, randomInt } from '../util/hash.ts';
import { NATIVE_CALL_TYPES } from './action-types.ts';
import type { Restatement } from './restatements.ts';

/** A fully resolved ad-account configuration. */
export interface AccountConfig {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  status: number;
  disableReason: number;
  tier: AccessTier;
  activeAds?: number | undefined;
  quotaOverride?: Partial<Record<BucType, number>> | undefined;
  campaigns: number;
  adsetsPerCampaign: number;
  adsPerAdset: number;
  contactProfile: ContactProfile;
  omniActions: boolean;
  businessId: string;
  createdDate: string;
}

export type EffectiveStatus = 'ACTIVE' | 'PAUSED' | 'CAMPAIGN_PAUSED' | 'ADSET_PAUSED';

/** Per-ad base rates behind the daily metrics. */
export interface AdProfile {
  baseImpressions: number;
  ctr: number;
  linkShare: number;
  cpmCents: number;
  reachFactor: number;
  searchRate: number;
  viewContentRate: number;
  checkoutRate: number;
  purchaseRate: number;
  orderValueCents: number;
  callRate: number;
  emailRate: number;
  leadRate: number;
  /** The ad's audience in days of its typical reach (people it can reach; period reach saturates at it). */
  audienceDays: number;
}

export interface CampaignModel {
  kind: 'campaign';
  id: string;
  name: string;
  account: AccountModel;
  status: 'ACTIVE' | 'PAUSED';
  effectiveStatus: EffectiveStatus;
  objective: string;
  startDay: number;
  endDay: number | null;
  createdMs: number;
  dailyBudgetCents: number;
  adsets: AdsetModel[];
  ads: AdModel[];
  order: number;
}

export interface AdsetModel {
  kind: 'adset';
  id: string;
  name: string;
  account: AccountModel;
  campaign: CampaignModel;
  status: 'ACTIVE' | 'PAUSED';
  effectiveStatus: EffectiveStatus;
  startDay: number;
  endDay: number | null;
  createdMs: number;
  ads: AdModel[];
  order: number;
}

export interface AdModel {
  kind: 'ad';
  id: string;
  name: string;
  account: AccountModel;
  campaign: CampaignModel;
  adset: AdsetModel;
  status: 'ACTIVE' | 'PAUSED';
  effectiveStatus: EffectiveStatus;
  startDay: number;
  endDay: number | null;
  createdMs: number;
  key: number;
  profile: AdProfile;
  order: number;
  /** People the ad can reach (its typical daily reach x `profile.audienceDays`). */
  audience: number;
}

export interface AccountModel {
  config: AccountConfig;
  key: number;
  campaigns: CampaignModel[];
  adsets: AdsetModel[];
  ads: AdModel[];
  /** ACTIVE ads in the synthetic data (the default `active_ads` of the quota formulas). */
  generatedActiveAds: number;
  /** The phone action types this account reports in `actions` (primary first). */
  callActionTypes: string[];
  createdMs: number;
  homeCountry: string;
  /** People the account's ads can reach together (ad audiences overlap). */
  audience: number;
  /** Restatements of past days, in the order they were made (`restatements.ts`). */
  restatements: Restatement[];
  /** Restated ad-day records, cleared when a restatement is added. */
  restatedMemo: Map<string, Float64Array | null>;
}

export type EntityModel = CampaignModel | AdsetModel | AdModel;

export interface World {
  seed: string;
  accounts: Map<string, AccountModel>;
  /** Account ids in configuration order. */
  accountOrder: string[];
  /** Every campaign, ad set and ad by id. */
  objects: Map<string, EntityModel>;
}

const DEFAULT_TIMEZONES = ['Europe/Warsaw', 'Europe/Warsaw', 'America/New_York', 'Asia/Tokyo'];
const CONTACT_PROFILES: ContactProfile[] = ['pbm_custom', 'pbm_pixel', 'native_call'];
const OBJECTIVES = [
  'OUTCOME_SALES',
  'OUTCOME_SALES',
  'OUTCOME_TRAFFIC',
  'OUTCOME_LEADS',
  'OUTCOME_AWARENESS',
];
const CAMPAIGN_THEMES = [
  'Summer Stay',
  'Weekend Spa',
  'Winter Escape',
  'Family Package',
  'Last Minute',
  'Brand Awareness',
  'Remarketing',
  'Early Booking',
  'Conference Rooms',
  'Long Weekend',
];

const CURRENCY_FACTOR: Record<string, number> = { PLN: 3.9, EUR: 0.92, USD: 1, GBP: 0.79, JPY: 150, CZK: 23 };
const HOME_COUNTRY: Record<string, string> = {
  PLN: 'PL',
  EUR: 'DE',
  USD: 'US',
  GBP: 'GB',
  JPY: 'JP',
  CZK: 'CZ',
};

/** Resolves an account spec with deterministic defaults. */
export function resolveAccountConfig(spec: AccountSpec, index: number, seed: string): AccountConfig {
  const id = String(spec.id).replace(/^act_/, '');
  const random = mulberry32(hashParts(seed, 'account', id));
  const createdDay = fromYmd(2023, 1, 1) + randomInt(random, 0, 540);
  const contactProfile = CONTACT_PROFILES[index % CONTACT_PROFILES.length] ?? 'native_call';
  const timezone = spec.timezone ?? DEFAULT_TIMEZONES[index % DEFAULT_TIMEZONES.length] ?? 'Europe/Warsaw';
  return {
    id,
    name: spec.name ?? `Sandbox Account ${index + 1}`,
    timezone,
    currency:
      spec.currency ?? (timezone === 'Europe/Warsaw' ? 'PLN' : timezone === 'Asia/Tokyo' ? 'JPY' : 'USD'),
    status: spec.status ?? 1,
    disableReason: spec.disableReason ?? 0,
    tier: spec.tier ?? 'development',
    activeAds: spec.activeAds,
    quotaOverride: spec.quotaOverride,
    campaigns: spec.campaigns ?? 8,
    adsetsPerCampaign: spec.adsetsPerCampaign ?? 2,
    adsPerAdset: spec.adsPerAdset ?? 2,
    contactProfile: spec.contactProfile ?? contactProfile,
    omniActions: spec.omniActions ?? index % 4 !== 1,
    businessId: spec.businessId ?? numericId('1', hashParts(seed, 'business', id), 15),
    createdDate: spec.createdDate ?? formatIsoDay(createdDay),
  };
}

function uniqueId(objects: Map<string, EntityModel>, base: number, prefix: string): string {
  for (let attempt = 0; ; attempt++) {
    const id = numericId(prefix, base + attempt * 7919, 18);
    if (!objects.has(id)) return id;
  }
}

function logUniform(random: Random, min: number, max: number): number {
  return Math.exp(randomBetween(random, Math.log(min), Math.log(max)));
}

function buildProfile(random: Random, currency: string, objective: string): AdProfile {
  const factor = CURRENCY_FACTOR[currency] ?? 1;
  return {
    baseImpressions: logUniform(random, 300, 6000),
    ctr: randomBetween(random, 0.006, 0.035),
    linkShare: randomBetween(random, 0.5, 0.85),
    cpmCents: randomBetween(random, 400, 1200) * factor,
    reachFactor: randomBetween(random, 1.05, 1.6),
    searchRate: randomBetween(random, 0.05, 0.25),
    viewContentRate: randomBetween(random, 0.2, 0.6),
    checkoutRate: randomBetween(random, 0.05, 0.25),
    purchaseRate: randomBetween(random, 0.15, 0.5),
    orderValueCents: randomBetween(random, 8000, 40000) * factor,
    callRate: randomBetween(random, 0.005, 0.03),
    emailRate: randomBetween(random, 0.002, 0.01),
    leadRate: objective === 'OUTCOME_LEADS' ? randomBetween(random, 0.02, 0.1) : 0,
    audienceDays: randomBetween(random, 5, 25),
  };
}

function minEnd(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** Builds one account's campaigns, ad sets and ads into `objects`. */
export function buildAccount(
  config: AccountConfig,
  seed: string,
  objects: Map<string, EntityModel>,
): AccountModel {
  const key = hashParts(seed, 'account', config.id);
  const random = mulberry32(key);
  const createdDay = parseIsoDay(config.createdDate) ?? fromYmd(2023, 6, 1);
  const primaryCall = NATIVE_CALL_TYPES[key % NATIVE_CALL_TYPES.length] ?? 'click_to_call_native_call_placed';
  const account: AccountModel = {
    config,
    key,
    campaigns: [],
    adsets: [],
    ads: [],
    generatedActiveAds: 0,
    callActionTypes: [primaryCall, 'click_to_call_native_20s_call_connect'],
    createdMs: createdDay * DAY_MS + randomInt(random, 8, 17) * 3_600_000,
    homeCountry: HOME_COUNTRY[config.currency] ?? 'US',
    audience: 1,
    restatements: [],
    restatedMemo: new Map(),
  };
  if (config.contactProfile === 'pbm_custom') {
    account.callActionTypes = ['offsite_conversion.custom.1470262077092668', 'click_to_call_call_confirm'];
  } else if (config.contactProfile === 'pbm_pixel') {
    account.callActionTypes = [];
  }

  for (let c = 0; c < config.campaigns; c++) {
    const cRandom = mulberry32(hashParts(seed, config.id, 'campaign', c));
    const active = config.campaigns >= 2 && c < 2 ? c === 0 : cRandom() < 0.65;
    const objective = OBJECTIVES[randomInt(cRandom, 0, OBJECTIVES.length - 1)] ?? 'OUTCOME_SALES';
    const startDay = createdDay + (active ? randomInt(cRandom, 0, 400) : randomInt(cRandom, 0, 1000));
    const endDay = active ? null : startDay + randomInt(cRandom, 14, 240);
    const theme = CAMPAIGN_THEMES[randomInt(cRandom, 0, CAMPAIGN_THEMES.length - 1)];
    const campaign: CampaignModel = {
      kind: 'campaign',
      id: uniqueId(objects, hashParts(seed, config.id, 'campaign-id', c), '1202'),
      name: `[SBX] ${theme} ${c + 1} - ${objective.replace('OUTCOME_', '').toLowerCase()}`,
      account,
      status: active ? 'ACTIVE' : 'PAUSED',
      effectiveStatus: active ? 'ACTIVE' : 'PAUSED',
      objective,
      startDay,
      endDay,
      createdMs: (startDay - randomInt(cRandom, 0, 3)) * DAY_MS + randomInt(cRandom, 0, 86_399) * 1000,
      dailyBudgetCents:
        Math.round(randomBetween(cRandom, 20, 200) * (CURRENCY_FACTOR[config.currency] ?? 1)) * 100,
      adsets: [],
      ads: [],
      order: c,
    };
    objects.set(campaign.id, campaign);
    account.campaigns.push(campaign);

    for (let s = 0; s < config.adsetsPerCampaign; s++) {
      const sRandom = mulberry32(hashParts(seed, campaign.id, 'adset', s));
      const adsetActive = s === 0 || sRandom() < 0.85;
      const adsetStart = startDay + randomInt(sRandom, 0, 10);
      const adsetEnd = adsetActive ? endDay : minEnd(endDay, adsetStart + randomInt(sRandom, 10, 200));
      const adset: AdsetModel = {
        kind: 'adset',
        id: uniqueId(objects, hashParts(seed, campaign.id, 'adset-id', s), '1202'),
        name: `${campaign.name} / Ad set ${s + 1}`,
        account,
        campaign,
        status: adsetActive ? 'ACTIVE' : 'PAUSED',
        effectiveStatus: !active ? 'CAMPAIGN_PAUSED' : adsetActive ? 'ACTIVE' : 'PAUSED',
        startDay: adsetStart,
        endDay: adsetEnd,
        createdMs: campaign.createdMs + randomInt(sRandom, 60, 3600) * 1000,
        ads: [],
        order: account.adsets.length,
      };
      objects.set(adset.id, adset);
      account.adsets.push(adset);
      campaign.adsets.push(adset);

      for (let a = 0; a < config.adsPerAdset; a++) {
        const adKey = hashParts(seed, adset.id, 'ad', a);
        const aRandom = mulberry32(adKey);
        const adActive = a === 0 || aRandom() < 0.85;
        const adStart = adsetStart + randomInt(aRandom, 0, 5);
        const adEnd = adActive ? adsetEnd : minEnd(adsetEnd, adStart + randomInt(aRandom, 7, 150));
        const effectiveStatus: EffectiveStatus = !active
          ? 'CAMPAIGN_PAUSED'
          : !adsetActive
            ? 'ADSET_PAUSED'
            : adActive
              ? 'ACTIVE'
              : 'PAUSED';
        // Same draw order as before profiles had audiences: created time, then the profile.
        const createdMs = adset.createdMs + randomInt(aRandom, 60, 3600) * 1000;
        const profile = buildProfile(aRandom, config.currency, objective);
        const ad: AdModel = {
          kind: 'ad',
          id: uniqueId(objects, hashParts(seed, adset.id, 'ad-id', a), '1202'),
          name: `${theme} creative ${a + 1}`,
          account,
          campaign,
          adset,
          status: adActive ? 'ACTIVE' : 'PAUSED',
          effectiveStatus,
          startDay: adStart,
          endDay: adEnd,
          createdMs,
          key: adKey,
          profile,
          order: account.ads.length,
          audience: Math.round((profile.baseImpressions / profile.reachFactor) * profile.audienceDays),
        };
        if (effectiveStatus === 'ACTIVE') account.generatedActiveAds++;
        objects.set(ad.id, ad);
        account.ads.push(ad);
        adset.ads.push(ad);
        campaign.ads.push(ad);
      }
    }
  }
  // Ads of one account share part of their audience: together they reach 70% of the sum.
  let sum = 0;
  let largest = 1;
  for (const ad of account.ads) {
    sum += ad.audience;
    largest = Math.max(largest, ad.audience);
  }
  account.audience = Math.max(largest, Math.round(0.7 * sum));
  return account;
}

/** Builds the whole world. Account ids must be unique. */
export function buildWorld(seed: string, configs: AccountConfig[]): World {
  const world: World = { seed, accounts: new Map(), accountOrder: [], objects: new Map() };
  for (const config of configs) {
    if (world.accounts.has(config.id)) throw new Error(`duplicate ad account id ${config.id}`);
    world.accounts.set(config.id, buildAccount(config, seed, world.objects));
    world.accountOrder.push(config.id);
  }
  return world;
}
