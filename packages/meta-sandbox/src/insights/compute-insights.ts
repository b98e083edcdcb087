/**
 * @module
 * Computes insights rows: walks the ads in scope over every day of every time bucket, splits
 * each day over breakdown cells, sums into (bucket, level entity, cell) groups and formats the
 * rows as Meta does (metric values as strings, derived ratios from the summed totals). Reach is
 * the exception to summing: it is de-duplicated over the group's days and ads (`period-reach.ts`).
 */

import { formatIsoDay } from '../util/dates.ts';
import { formatMoney, formatRatio } from '../util/format.ts';
import { fmix32 } from '../util/hash.ts';
import { ACTION_TYPES, CONVERSION_TYPES } from '../world/action-types.ts';
import { type BreakdownGroup, breakdownGroupFor, cellWeights, splitRecord } from '../world/breakdowns.ts';
import type { AccountModel, AdModel, AdsetModel, CampaignModel } from '../world/build-world.ts';
import {
  ACTION_VALUES_OFFSET,
  ACTIONS_OFFSET,
  CONVERSION_VALUES_OFFSET,
  CONVERSIONS_OFFSET,
  dayRecord,
  M_CLICKS,
  M_IMPRESSIONS,
  M_INLINE_LINK_CLICKS,
  M_REACH,
  M_SPEND_CENTS,
  METRIC_VECTOR_LENGTH,
  type MetricVector,
} from '../world/day-record.ts';
import { adPasses, type MetricAttribute, matches } from './filtering.ts';
import type { InsightsLevel, InsightsQuery, SortField } from './insights-query.ts';
import { PeriodReach } from './period-reach.ts';

export interface InsightsScope {
  account: AccountModel;
  ads: readonly AdModel[];
}

export type InsightsRow = Record<string, unknown>;

interface Group {
  bucket: number;
  order: number;
  cell: number;
  ad: AdModel;
  vector: MetricVector;
  reach: PeriodReach | null;
}

/** Fields, filters and sorts that read reach (so it must be de-duplicated per period). */
const REACH_METRICS = new Set(['reach', 'frequency', 'cpp']);

function needsReach(query: InsightsQuery): boolean {
  return (
    query.fields.some((field) => REACH_METRICS.has(field)) ||
    query.filters.some((f) => f.kind === 'metric' && REACH_METRICS.has(f.attribute)) ||
    (query.sort !== null && REACH_METRICS.has(query.sort.field))
  );
}

const ATTRIBUTION_SHARES: Record<string, number> = {
  '1d_view': 0.1,
  '1d_click': 0.75,
  '7d_click': 0.9,
  '28d_click': 1,
  '1d_ev': 0.05,
  dda: 0.95,
};

const RANKINGS = [
  'ABOVE_AVERAGE',
  'AVERAGE',
  'AVERAGE',
  'BELOW_AVERAGE_35',
  'BELOW_AVERAGE_20',
  'BELOW_AVERAGE_10',
];

function entityOrder(ad: AdModel, level: InsightsLevel): number {
  switch (level) {
    case 'account':
      return 0;
    case 'campaign':
      return ad.campaign.order;
    case 'adset':
      return ad.adset.order;
    case 'ad':
      return ad.order;
  }
}

function metricValue(vector: MetricVector, attribute: MetricAttribute | SortField): number {
  const impressions = vector[M_IMPRESSIONS] ?? 0;
  const clicks = vector[M_CLICKS] ?? 0;
  const spend = (vector[M_SPEND_CENTS] ?? 0) / 100;
  switch (attribute) {
    case 'impressions':
      return impressions;
    case 'spend':
      return spend;
    case 'clicks':
      return clicks;
    case 'reach':
      return vector[M_REACH] ?? 0;
    case 'inline_link_clicks':
      return vector[M_INLINE_LINK_CLICKS] ?? 0;
    case 'ctr':
      return impressions > 0 ? (clicks / impressions) * 100 : 0;
    case 'cpc':
      return clicks > 0 ? spend / clicks : 0;
    case 'cpm':
      return impressions > 0 ? (spend / impressions) * 1000 : 0;
    case 'frequency': {
      const reach = vector[M_REACH] ?? 0;
      return reach > 0 ? impressions / reach : 0;
    }
  }
}

function isEmpty(vector: MetricVector): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false;
  return true;
}

/** Computes the full (unpaged) result of an insights query. */
export function computeInsights(
  seed: string,
  scope: InsightsScope,
  query: InsightsQuery,
  today: number,
): InsightsRow[] {
  const ads = query.filters.length > 0 ? scope.ads.filter((ad) => adPasses(ad, query.filters)) : scope.ads;
  const found = breakdownGroupFor(query.breakdowns);
  const group: BreakdownGroup | null = found === 'mixed' ? null : found;
  // Map each full cell to the output cell of the requested dimensions (e.g. age only).
  let cellToOutput: number[] = [];
  let outputValues: string[][] = [];
  if (group) {
    const dimensionIndexes = query.breakdowns.map((b) => group.dimensions.indexOf(b));
    const keys = new Map<string, number>();
    cellToOutput = group.cells.map((cell) => {
      const values = dimensionIndexes.map((i) => cell.values[i] ?? '');
      const key = values.join('\u0001');
      let index = keys.get(key);
      if (index === undefined) {
        index = outputValues.length;
        keys.set(key, index);
        outputValues.push(values);
      }
      return index;
    });
  } else {
    outputValues = [[]];
  }

  const groups = new Map<string, Group>();
  const withReach = needsReach(query);
  const population = scope.account.audience;
  const add = (bucket: number, ad: AdModel, cell: number, day: number, vector: MetricVector) => {
    const order = entityOrder(ad, query.level);
    const key = `${bucket}:${order}:${cell}`;
    let target = groups.get(key);
    if (!target) {
      target = {
        bucket,
        order,
        cell,
        ad,
        vector: new Float64Array(METRIC_VECTOR_LENGTH),
        reach: withReach ? new PeriodReach(population) : null,
      };
      groups.set(key, target);
    }
    const sum = target.vector;
    for (let i = 0; i < METRIC_VECTOR_LENGTH; i++) sum[i] = (sum[i] ?? 0) + (vector[i] ?? 0);
    target.reach?.add(ad, day, vector[M_REACH] ?? 0);
  };

  query.buckets.forEach((bucket, bucketIndex) => {
    const last = Math.min(bucket.end, today);
    for (let day = bucket.start; day <= last; day++) {
      const weights = group
        ? cellWeights(group, seed, scope.account.key, scope.account.homeCountry, day)
        : null;
      for (const ad of ads) {
        const record = dayRecord(ad, day);
        if (record === null) continue;
        if (weights === null) {
          add(bucketIndex, ad, 0, day, record);
        } else {
          splitRecord(record, weights, (cellIndex, part) => {
            if (!isEmpty(part)) add(bucketIndex, ad, cellToOutput[cellIndex] ?? 0, day, part);
          });
        }
      }
    }
  });
  if (withReach) for (const g of groups.values()) if (g.reach) g.vector[M_REACH] = g.reach.total();

  let ordered = [...groups.values()].sort(
    (a, b) => a.bucket - b.bucket || a.order - b.order || a.cell - b.cell,
  );
  const metricFilters = query.filters.filter((f) => f.kind === 'metric');
  if (metricFilters.length > 0) {
    ordered = ordered.filter((g) =>
      metricFilters.every((f) => matches(metricValue(g.vector, f.attribute), f.operator, f.value)),
    );
  }
  const sort = query.sort;
  if (sort) {
    ordered = ordered
      .map((g, index) => ({ g, index, value: metricValue(g.vector, sort.field) }))
      .sort((a, b) => (sort.descending ? b.value - a.value : a.value - b.value) || a.index - b.index)
      .map((entry) => entry.g);
  }
  const dropOffsite = query.breakdowns.includes('region');
  const formatted = ordered.map((g) =>
    formatRow(g, query, scope.account, group ? (outputValues[g.cell] ?? []) : [], dropOffsite),
  );
  const aliases = query.aliases;
  if (aliases === null) return formatted;
  return formatted.map((row) => {
    const renamed: InsightsRow = {};
    for (const [key, value] of Object.entries(row)) renamed[aliases.get(key) ?? key] = value;
    return renamed;
  });
}

function levelEntity(ad: AdModel, level: InsightsLevel): CampaignModel | AdsetModel | AdModel | null {
  return level === 'campaign' ? ad.campaign : level === 'adset' ? ad.adset : level === 'ad' ? ad : null;
}

function typedList(
  vector: MetricVector,
  offset: number,
  types: readonly string[],
  windows: string[] | null,
  dropOffsite: boolean,
  format: (value: number) => string,
): Array<Record<string, string>> | undefined {
  const list: Array<Record<string, string>> = [];
  for (let i = 0; i < types.length; i++) {
    const value = vector[offset + i] ?? 0;
    const type = types[i] ?? '';
    if (value === 0 || (dropOffsite && type.startsWith('offsite_conversion.'))) continue;
    const entry: Record<string, string> = { action_type: type, value: format(value) };
    if (windows) {
      for (const window of windows) {
        const share = ATTRIBUTION_SHARES[window];
        if (share !== undefined) entry[window] = format(Math.round(value * share));
      }
    }
    list.push(entry);
  }
  return list.length > 0 ? list : undefined;
}

function costPer(
  vector: MetricVector,
  offset: number,
  types: readonly string[],
  dropOffsite: boolean,
): Array<Record<string, string>> | undefined {
  const spend = (vector[M_SPEND_CENTS] ?? 0) / 100;
  const list: Array<Record<string, string>> = [];
  for (let i = 0; i < types.length; i++) {
    const count = vector[offset + i] ?? 0;
    const type = types[i] ?? '';
    if (count === 0 || (dropOffsite && type.startsWith('offsite_conversion.'))) continue;
    list.push({ action_type: type, value: formatRatio(spend / count) });
  }
  return list.length > 0 ? list : undefined;
}

function formatRow(
  group: Group,
  query: InsightsQuery,
  account: AccountModel,
  cellValues: readonly string[],
  dropOffsite: boolean,
): InsightsRow {
  const v = group.vector;
  const ad = group.ad;
  const entity = levelEntity(ad, query.level);
  const impressions = v[M_IMPRESSIONS] ?? 0;
  const clicks = v[M_CLICKS] ?? 0;
  const linkClicks = v[M_INLINE_LINK_CLICKS] ?? 0;
  const reach = v[M_REACH] ?? 0;
  const cents = v[M_SPEND_CENTS] ?? 0;
  const spend = cents / 100;
  const row: InsightsRow = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) row[key] = value;
  };
  const windows = query.attributionWindows;
  const ranking = RANKINGS[fmix32(ad.key) % RANKINGS.length] ?? 'AVERAGE';
  const atLevel = (level: InsightsLevel) => LEVEL_DEPTH[query.level] >= LEVEL_DEPTH[level];
  for (const field of query.fields) {
    switch (field) {
      case 'account_id':
        set(field, account.config.id);
        break;
      case 'account_name':
        set(field, account.config.name);
        break;
      case 'account_currency':
        set(field, account.config.currency);
        break;
      case 'campaign_id':
        if (atLevel('campaign')) set(field, ad.campaign.id);
        break;
      case 'campaign_name':
        if (atLevel('campaign')) set(field, ad.campaign.name);
        break;
      case 'adset_id':
        if (atLevel('adset')) set(field, ad.adset.id);
        break;
      case 'adset_name':
        if (atLevel('adset')) set(field, ad.adset.name);
        break;
      case 'ad_id':
        if (atLevel('ad')) set(field, ad.id);
        break;
      case 'ad_name':
        if (atLevel('ad')) set(field, ad.name);
        break;
      case 'objective':
        if (atLevel('campaign')) set(field, ad.campaign.objective);
        break;
      case 'buying_type':
        set(field, 'AUCTION');
        break;
      case 'created_time':
        set(field, formatIsoDay(Math.floor((entity ?? account).createdMs / 86_400_000)));
        break;
      case 'updated_time':
        set(field, formatIsoDay(Math.floor((entity ?? account).createdMs / 86_400_000) + 1));
        break;
      case 'date_start':
      case 'date_stop':
        break;
      case 'spend':
        set(field, formatMoney(cents));
        break;
      case 'impressions':
        set(field, String(impressions));
        break;
      case 'clicks':
        set(field, String(clicks));
        break;
      case 'inline_link_clicks':
        set(field, String(linkClicks));
        break;
      case 'reach':
        set(field, String(reach));
        break;
      case 'frequency':
        if (reach > 0) set(field, formatRatio(impressions / reach));
        break;
      case 'ctr':
        if (impressions > 0) set(field, formatRatio((clicks / impressions) * 100));
        break;
      case 'cpc':
        if (clicks > 0) set(field, formatRatio(spend / clicks));
        break;
      case 'cpm':
        if (impressions > 0) set(field, formatRatio((spend / impressions) * 1000));
        break;
      case 'cpp':
        if (reach > 0) set(field, formatRatio((spend / reach) * 1000));
        break;
      case 'inline_link_click_ctr':
        if (impressions > 0) set(field, formatRatio((linkClicks / impressions) * 100));
        break;
      case 'cost_per_inline_link_click':
        if (linkClicks > 0) set(field, formatRatio(spend / linkClicks));
        break;
      case 'actions':
        set(field, typedList(v, ACTIONS_OFFSET, ACTION_TYPES, windows, dropOffsite, String));
        break;
      case 'action_values':
        set(field, typedList(v, ACTION_VALUES_OFFSET, ACTION_TYPES, windows, dropOffsite, formatMoney));
        break;
      case 'conversions':
        set(field, typedList(v, CONVERSIONS_OFFSET, CONVERSION_TYPES, windows, dropOffsite, String));
        break;
      case 'conversion_values':
        set(
          field,
          typedList(v, CONVERSION_VALUES_OFFSET, CONVERSION_TYPES, windows, dropOffsite, formatMoney),
        );
        break;
      case 'cost_per_action_type':
        set(field, costPer(v, ACTIONS_OFFSET, ACTION_TYPES, dropOffsite));
        break;
      case 'cost_per_conversion':
        set(field, costPer(v, CONVERSIONS_OFFSET, CONVERSION_TYPES, dropOffsite));
        break;
      case 'purchase_roas': {
        const omni = v[CONVERSION_VALUES_OFFSET] ?? 0;
        const pixel = v[CONVERSION_VALUES_OFFSET + 1] ?? 0;
        const valueCents = account.config.omniActions ? omni : pixel;
        if (cents > 0 && !dropOffsite) {
          set(field, [
            {
              action_type: account.config.omniActions
                ? 'omni_purchase'
                : 'offsite_conversion.fb_pixel_purchase',
              value: formatRatio(valueCents / cents),
            },
          ]);
        }
        break;
      }
      case 'quality_ranking':
      case 'engagement_rate_ranking':
      case 'conversion_rate_ranking':
      case 'quality_score_ectr':
      case 'quality_score_ecvr':
      case 'quality_score_organic':
        set(field, query.level === 'ad' ? ranking : 'UNKNOWN');
        break;
    }
  }
  const bucket = query.buckets[group.bucket];
  if (bucket) {
    row.date_start = formatIsoDay(bucket.start);
    row.date_stop = formatIsoDay(bucket.end);
  }
  query.breakdowns.forEach((name, index) => {
    row[name] = cellValues[index] ?? '';
  });
  return row;
}

const LEVEL_DEPTH: Record<InsightsLevel, number> = { account: 0, campaign: 1, adset: 2, ad: 3 };
