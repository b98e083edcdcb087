/**
 * @module
 * `cache_data.metaTables` / `campaign_summaries.meta_tables` (`app-contract.md` §3.3):
 * placement, demographic, geographic and ad-relevance rows in the shapes the app's
 * `MetaAdsTables` component reads.
 *
 * Reservations in these tables use the app's cruder rule, not the campaign parser: the FIRST
 * entry (in Meta's order) whose type is `offsite_conversion.fb_pixel_purchase`,
 * `offsite_conversion.fb_pixel_complete_registration` or `omni_purchase`. Reproduced as is, so
 * a table row shows what the app would have shown.
 */
import { linkClicks, metricWithFallback } from './campaign-rows.ts';
import { type ActionEntry, type InsightsRow, rowActions, rowString } from './insights-row.ts';
import { safeRatio, toMetricNumber } from './metric-number.ts';

/** Action types the tables count as a reservation (exact, case-sensitive, as the app matches). */
export const TABLE_RESERVATION_ACTION_TYPES = [
  'offsite_conversion.fb_pixel_purchase',
  'offsite_conversion.fb_pixel_complete_registration',
  'omni_purchase',
] as const;

/** `publisher_platform` → display name (the app's map, plus Threads). */
export const PUBLISHER_PLATFORM_LABELS: Readonly<Record<string, string>> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  messenger: 'Messenger',
  audience_network: 'Audience Network',
  whatsapp: 'WhatsApp',
  threads: 'Threads',
  unknown: 'Nieznane',
};

/** `platform_position` → Polish label (the app's map; other positions keep Meta's code). */
export const PLATFORM_POSITION_LABELS: Readonly<Record<string, string>> = {
  feed: 'Aktualności',
  right_hand_column: 'Prawa kolumna',
  instant_article: 'Artykuł natychmiastowy',
  instream_video: 'Wideo w strumieniu',
  marketplace: 'Marketplace',
  rewarded_video: 'Wideo z nagrodą',
  story: 'Stories',
  search: 'Wyszukiwanie',
  video_feeds: 'Filmy',
  external: 'Zewnętrzne',
  an_classic: 'AN Classic',
  rewarded_video_interstitial: 'Wideo z nagrodą (pełny ekran)',
  unknown: 'Nieznane',
};

/** Stored for geographic rows without a city (Meta's breakdown stops at region); the UI filters on it. */
export const UNKNOWN_GEO_LABEL = '(nieznane)';

export interface PlacementRow {
  /** e.g. `Facebook - Aktualności`. */
  placement: string;
  publisher_platform: string;
  platform_position: string;
  spend: number;
  impressions: number;
  clicks: number;
  ctr: number;
  cpc: number;
  cpm: number;
  reservation_value: number;
  reservations: number;
}

/** The raw demographic row (`age`, `gender`, string metrics, action arrays) plus two numbers. */
export type DemographicRow = { [field: string]: string | number | ActionEntry[] | undefined } & {
  reservation_value: number;
  reservations: number;
};

export interface GeographicRow {
  /** ISO 3166-1 alpha-2 from the `country` breakdown. */
  countryCode: string;
  /** Polish country name (`Polska`, `Niemcy`), the code itself when unknown. */
  countryName: string;
  /** Meta's `region` value; `(nieznane)` when Meta has none. */
  regionName: string;
  cityName: typeof UNKNOWN_GEO_LABEL;
  spend: number;
  impressions: number;
  clicks: number;
  ctr: number;
  cpc: number;
  conversions: number;
  conversion_value: number;
  reservations: number;
  reservation_value: number;
  roas: number;
}

/** Ad-relevance rows are stored raw (Meta's ranking strings need no conversion). */
export type AdRelevanceRow = InsightsRow;

export interface MetaTables {
  placementPerformance: PlacementRow[];
  demographicPerformance: DemographicRow[];
  adRelevanceResults: AdRelevanceRow[];
  geographicPerformance: GeographicRow[];
}

/** The raw rows of the breakdown calls for one period. */
export interface MetaTablesInput {
  placement: readonly InsightsRow[];
  demographic: readonly InsightsRow[];
  geographic: readonly InsightsRow[];
  /** Optional call; omitted means "not fetched", stored as `[]` like the app does. */
  adRelevance?: readonly InsightsRow[];
}

function firstReservationEntry(entries: readonly ActionEntry[]): ActionEntry | undefined {
  return entries.find((entry) =>
    (TABLE_RESERVATION_ACTION_TYPES as readonly string[]).includes(entry.action_type),
  );
}

/** The tables' reservation count and value for one breakdown row. */
export function tableReservations(row: InsightsRow): { reservations: number; reservation_value: number } {
  const count = Number.parseInt(firstReservationEntry(rowActions(row, 'actions'))?.value ?? '0', 10);
  const value = toMetricNumber(firstReservationEntry(rowActions(row, 'action_values'))?.value);
  return {
    reservations: Number.isNaN(count) || count < 0 ? 0 : count,
    reservation_value: Math.max(value, 0),
  };
}

/**
 * The display label of a placement: `<Platform> - <Polish position>`, the position's Meta code
 * when it has no label, the platform alone when there is no position.
 *
 * @example
 * placementLabel('facebook', 'feed') // 'Facebook - Aktualności'
 * placementLabel('instagram', 'instagram_reels') // 'Instagram - instagram_reels'
 */
export function placementLabel(
  publisherPlatform: string | undefined,
  platformPosition: string | undefined,
): string {
  const platformKey = (publisherPlatform ?? '').toLowerCase();
  const platform = PUBLISHER_PLATFORM_LABELS[platformKey] ?? (publisherPlatform || 'Nieznane');
  const positionKey = (platformPosition ?? '').toLowerCase();
  const position = PLATFORM_POSITION_LABELS[positionKey] ?? (platformPosition || '');
  return position ? `${platform} - ${position}` : platform;
}

/** Placement breakdown rows (`publisher_platform,platform_position`) → `placementPerformance`. */
export function buildPlacementRows(rows: readonly InsightsRow[]): PlacementRow[] {
  return rows.map((row) => {
    const num = (field: string): number => toMetricNumber(rowString(row, field));
    const publisher = rowString(row, 'publisher_platform') ?? '';
    const position = rowString(row, 'platform_position') ?? '';
    return {
      placement: placementLabel(publisher, position),
      publisher_platform: publisher,
      platform_position: position,
      spend: num('spend'),
      impressions: num('impressions'),
      clicks: num('clicks'),
      ctr: num('ctr'),
      cpc: num('cpc'),
      cpm: num('cpm'),
      ...tableReservations(row),
    };
  });
}

/** Demographic breakdown rows (`age,gender`) → `demographicPerformance`: raw row plus reservations. */
export function buildDemographicRows(rows: readonly InsightsRow[]): DemographicRow[] {
  return rows.map((row) => ({ ...row, ...tableReservations(row) }));
}

let countryNames: Intl.DisplayNames | undefined;

/**
 * Polish name of an ISO country code (`DE` → `Niemcy`); the code itself when unknown.
 *
 * @example
 * polishCountryName('PL') // 'Polska'
 */
export function polishCountryName(code: string): string {
  const normalized = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(normalized)) return code;
  countryNames ??= new Intl.DisplayNames(['pl'], { type: 'region', fallback: 'code' });
  try {
    return countryNames.of(normalized) ?? normalized;
  } catch {
    return normalized;
  }
}

/**
 * Geographic breakdown rows (`country,region`) → `geographicPerformance`. Clicks, CTR and CPC are
 * the link-click metrics, like the campaign objects. Region breakdowns drop off-Meta actions
 * (`meta-graph-api.md` §3.3, Type 1), so reservations here are often 0 even when the campaigns
 * have some: that is Meta's answer, not a fetch failure.
 */
export function buildGeographicRows(rows: readonly InsightsRow[]): GeographicRow[] {
  return rows.map((row) => {
    const countryCode = rowString(row, 'country') ?? '';
    const region = rowString(row, 'region')?.trim() ?? '';
    const spend = toMetricNumber(rowString(row, 'spend'));
    const { reservations, reservation_value } = tableReservations(row);
    return {
      countryCode,
      countryName: countryCode ? polishCountryName(countryCode) : UNKNOWN_GEO_LABEL,
      regionName: region && region.toLowerCase() !== 'unknown' ? region : UNKNOWN_GEO_LABEL,
      cityName: UNKNOWN_GEO_LABEL,
      spend,
      impressions: toMetricNumber(rowString(row, 'impressions')),
      clicks: linkClicks(row),
      ctr: metricWithFallback(row, 'inline_link_click_ctr', 'ctr'),
      cpc: metricWithFallback(row, 'cost_per_inline_link_click', 'cpc'),
      conversions: reservations,
      conversion_value: reservation_value,
      reservations,
      reservation_value,
      roas: safeRatio(reservation_value, spend),
    };
  });
}

/** Ad-level relevance rows → `adRelevanceResults` (copies, so later edits cannot touch the input). */
export function buildAdRelevanceRows(rows: readonly InsightsRow[]): AdRelevanceRow[] {
  return rows.map((row) => ({ ...row }));
}

/**
 * All four tables for one period.
 *
 * @example
 * buildMetaTables({ placement, demographic, geographic }) // adRelevanceResults: []
 */
export function buildMetaTables(input: MetaTablesInput): MetaTables {
  return {
    placementPerformance: buildPlacementRows(input.placement),
    demographicPerformance: buildDemographicRows(input.demographic),
    adRelevanceResults: buildAdRelevanceRows(input.adRelevance ?? []),
    geographicPerformance: buildGeographicRows(input.geographic),
  };
}

/** The weekly cache's "always an object" value when the tables could not be fetched. */
export function emptyMetaTables(): MetaTables {
  return {
    placementPerformance: [],
    demographicPerformance: [],
    adRelevanceResults: [],
    geographicPerformance: [],
  };
}
