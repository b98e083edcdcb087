/**
 * @module
 * Breakdown groups and the deterministic split of a day's metrics over breakdown cells.
 * Each group has a fixed list of cells (value tuples); a request for a subset of a group's
 * dimensions (e.g. only `age`) sums the full cells, so every choice of breakdowns adds up to the
 * same totals.
 */
import { hashParts, mixKeys, mulberry32 } from '../util/hash.ts';
import type { MetricVector } from './day-record.ts';

export interface BreakdownGroup {
  name: 'placement' | 'demographic' | 'geo';
  dimensions: readonly string[];
  /** Each cell: one value per dimension, and a base weight. */
  cells: ReadonlyArray<{ values: readonly string[]; weight: number }>;
}

const placementCells: Array<[string, string, number]> = [
  ['facebook', 'feed', 30],
  ['facebook', 'facebook_reels', 8],
  ['facebook', 'story', 6],
  ['facebook', 'marketplace', 5],
  ['facebook', 'video_feeds', 3],
  ['facebook', 'right_hand_column', 2],
  ['facebook', 'search', 1],
  ['instagram', 'feed', 16],
  ['instagram', 'instagram_stories', 12],
  ['instagram', 'instagram_reels', 9],
  ['instagram', 'instagram_explore', 2],
  ['audience_network', 'classic', 3],
  ['audience_network', 'rewarded_video', 1],
  ['messenger', 'messenger_inbox', 1],
  ['messenger', 'messenger_stories', 1],
];

const ages: Array<[string, number]> = [
  ['18-24', 8],
  ['25-34', 24],
  ['35-44', 26],
  ['45-54', 20],
  ['55-64', 14],
  ['65+', 8],
];
const genders: Array<[string, number]> = [
  ['female', 52],
  ['male', 45],
  ['unknown', 3],
];

const regions: Array<[string, string, number]> = [
  ['PL', 'Masovian Voivodeship', 22],
  ['PL', 'Lesser Poland Voivodeship', 12],
  ['PL', 'Silesian Voivodeship', 12],
  ['PL', 'Pomeranian Voivodeship', 10],
  ['PL', 'Greater Poland Voivodeship', 9],
  ['PL', 'Lower Silesian Voivodeship', 9],
  ['PL', 'Łódź Voivodeship', 6],
  ['PL', 'West Pomeranian Voivodeship', 5],
  ['DE', 'Berlin', 40],
  ['DE', 'Bavaria', 35],
  ['GB', 'England', 60],
  ['CZ', 'Prague', 40],
  ['US', 'California', 30],
  ['US', 'New York', 20],
  ['US', 'Texas', 18],
  ['US', 'Florida', 15],
  ['JP', 'Tokyo', 50],
];

export const BREAKDOWN_GROUPS: readonly BreakdownGroup[] = [
  {
    name: 'placement',
    dimensions: ['publisher_platform', 'platform_position'],
    cells: placementCells.map(([platform, position, weight]) => ({ values: [platform, position], weight })),
  },
  {
    name: 'demographic',
    dimensions: ['age', 'gender'],
    cells: ages.flatMap(([age, ageWeight]) =>
      genders.map(([gender, genderWeight]) => ({ values: [age, gender], weight: ageWeight * genderWeight })),
    ),
  },
  {
    name: 'geo',
    dimensions: ['country', 'region'],
    cells: regions.map(([country, region, weight]) => ({ values: [country, region], weight })),
  },
];

/** Every breakdown name the sandbox supports. */
export const SUPPORTED_BREAKDOWNS: readonly string[] = BREAKDOWN_GROUPS.flatMap((group) => group.dimensions);

/** The group holding all requested breakdowns, 'mixed' if they span groups, or null if none requested. */
export function breakdownGroupFor(breakdowns: readonly string[]): BreakdownGroup | 'mixed' | null {
  if (breakdowns.length === 0) return null;
  const group = BREAKDOWN_GROUPS.find((g) => g.dimensions.includes(breakdowns[0] ?? ''));
  if (!group) return 'mixed';
  return breakdowns.every((b) => group.dimensions.includes(b)) ? group : 'mixed';
}

const weightCache = new Map<string, Float64Array>();

/**
 * Normalised cell weights of `group` for an account on a day: base weight x a stable per-account
 * factor x a mild per-day factor. Geo cells outside the account's home country share 15%.
 */
export function cellWeights(
  group: BreakdownGroup,
  seed: string,
  accountKey: number,
  homeCountry: string,
  day: number,
) {
  const cacheKey = `${seed}|${group.name}|${accountKey}|${day}`;
  const cached = weightCache.get(cacheKey);
  if (cached) return cached;
  const weights = new Float64Array(group.cells.length);
  let homeTotal = 0;
  let awayTotal = 0;
  const dayRandom = mulberry32(mixKeys(accountKey, day, hashParts(seed, group.name)));
  group.cells.forEach((cell, index) => {
    const stable = mulberry32(hashParts(seed, accountKey, group.name, cell.values.join('/')))();
    const weight = cell.weight * (0.7 + 0.6 * stable) * (0.85 + 0.3 * dayRandom());
    weights[index] = weight;
    if (group.name === 'geo' && cell.values[0] !== homeCountry) awayTotal += weight;
    else homeTotal += weight;
  });
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] ?? 0;
    if (group.name === 'geo') {
      const away = group.cells[i]?.values[0] !== homeCountry;
      weights[i] = away ? (weight / awayTotal) * 0.15 : (weight / homeTotal) * (awayTotal > 0 ? 0.85 : 1);
    } else {
      weights[i] = weight / homeTotal;
    }
  }
  if (weightCache.size > 20_000) weightCache.clear();
  weightCache.set(cacheKey, weights);
  return weights;
}

/**
 * Splits `record` over cells by cumulative rounding: every component of every cell is an
 * integer and the cells sum exactly to the record. Calls `emit(cellIndex, vector)` for each cell.
 */
export function splitRecord(
  record: MetricVector,
  weights: Float64Array,
  emit: (cellIndex: number, vector: MetricVector) => void,
): void {
  const cells = weights.length;
  const parts: MetricVector[] = [];
  for (let c = 0; c < cells; c++) parts.push(new Float64Array(record.length));
  for (let m = 0; m < record.length; m++) {
    const total = record[m] ?? 0;
    if (total === 0) continue;
    let cumulative = 0;
    let previous = 0;
    for (let c = 0; c < cells; c++) {
      cumulative += weights[c] ?? 0;
      const upTo = c === cells - 1 ? total : Math.round(cumulative * total);
      (parts[c] as MetricVector)[m] = upTo - previous;
      previous = upTo;
    }
  }
  for (let c = 0; c < cells; c++) emit(c, parts[c] as MetricVector);
}
