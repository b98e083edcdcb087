/**
 * @module
 * The app's Meta conversion parser (`src/lib/meta-actions-parser.ts`, "single source of truth"),
 * reproduced rule for rule from `app-contract.md` §2.3 so our numbers match what the app shows:
 *
 * - `action_type` strings are lower-cased, values summed per type (counts with parseInt as the
 *   app does, money with a decimal parse).
 * - Each funnel metric takes the FIRST PRESENT type of a priority list. Meta reports one event
 *   under several names (`omni_purchase`, `offsite_conversion.fb_pixel_purchase`, `purchase`);
 *   summing them double or triple counts, so `omni_*` wins and the others are fallbacks only.
 * - A client's `conversion_mappings.meta[metric]` replaces the defaults for that metric.
 * - `click_to_call` reads ONE action type for the whole account (a campaign that falls back to
 *   another subtype inflated Arche Nałęczów's total from 11 to 12).
 * - Phone and e-mail fall back to `conversions[]` only when no campaign reported them in
 *   `actions[]`; mixing both sources double counts the same contact.
 * - Headline `conversions` = `conversions[]` `omni_purchase` minus lead/instant-form actions.
 */
import { CONVERSION_RULES } from './conversion-rules.ts';
import { type ActionEntry, type InsightsRow, rowActions, rowString } from './insights-row.ts';
import { safeRatio, toMetricNumber } from './metric-number.ts';

/** The metrics a client can map to its own action types (`client_dashboard_config.conversion_mappings`). */
export const CONVERSION_METRICS = [
  'booking_step_1',
  'booking_step_2',
  'booking_step_3',
  'click_to_call',
  'email_contacts',
  'reservations',
  'reservation_value',
] as const;

export type ConversionMetric = (typeof CONVERSION_METRICS)[number];

/** Per metric, the action types to try in order; the first one present wins. */
export type PlatformConversionMappings = Partial<Record<ConversionMetric, readonly string[]>>;

/** `client_dashboard_config.conversion_mappings` (jsonb, default `{}`). Only `meta` is read here. */
export interface ConversionMappings {
  meta?: PlatformConversionMappings;
  google?: PlatformConversionMappings;
}

/** The funnel as stored in `cache_data.conversionMetrics`, `campaign_summaries` and per campaign. */
export interface ConversionMetrics {
  click_to_call: number;
  email_contacts: number;
  booking_step_1: number;
  booking_step_2: number;
  booking_step_3: number;
  reservations: number;
  reservation_value: number;
  /** Always equal to `reservation_value` for Meta (the `omni_purchase` value). */
  conversion_value: number;
  /** Always equal to `reservation_value` for Meta. */
  total_conversion_value: number;
  /** `total_conversion_value / spend`, 0 without spend. */
  roas: number;
  /** `spend / reservations`, 0 without reservations. */
  cost_per_reservation: number;
}

/** One campaign row's parsed values: the funnel plus the headline `conversions` number. */
export interface CampaignConversions extends ConversionMetrics {
  conversions: number;
}

/** Where the account's phone and e-mail counts came from (decided once per account). */
export type ContactSource = 'actions' | 'conversions';

export interface ConversionParseResult {
  /** Index-aligned with the input rows. */
  campaigns: CampaignConversions[];
  /** Sums over campaigns; `roas` and `cost_per_reservation` recomputed from the sums. */
  totals: ConversionMetrics;
  /** Sum of the campaigns' headline `conversions`. */
  headlineConversions: number;
  /** Total spend of the rows (the ROAS denominator). */
  spend: number;
  /** The one phone action type read for this account; `null` when none is present or a mapping decides. */
  phoneActionType: string | null;
  contactSources: { click_to_call: ContactSource; email_contacts: ContactSource };
}

/**
 * Standard phone actions in priority order. `click_to_call_native_call_placed` first: it matches
 * Ads Manager's placed-call result; the broader confirmations include calls never placed.
 */
export const PHONE_ACTION_PRIORITY = [
  'click_to_call_native_call_placed',
  'click_to_call_call_confirm',
  'call_confirm_grouped',
  'phone_number_clicks',
  'click_to_call_native_20s_call_connect',
] as const;

/** Default priority lists (§2.3 table) for the metrics read from `actions[]`. */
export const DEFAULT_ACTION_PRIORITIES = {
  booking_step_1: ['omni_search', 'offsite_conversion.fb_pixel_search', 'search'],
  booking_step_2: ['omni_view_content', 'offsite_conversion.fb_pixel_view_content'],
  booking_step_3: ['omni_initiated_checkout', 'offsite_conversion.fb_pixel_initiate_checkout'],
  reservations: ['omni_purchase', 'offsite_conversion.fb_pixel_purchase'],
} as const;

/** Default priority list for `reservation_value`, read from `action_values[]`. */
export const DEFAULT_RESERVATION_VALUE_PRIORITY = [
  'omni_purchase',
  'offsite_conversion.fb_pixel_purchase',
] as const;

/** Lead and instant-form actions, subtracted from the headline `conversions`. */
const FORM_ACTION_TYPES = new Set([
  'lead',
  'onsite_conversion.lead_grouped',
  'onsite_conversion.lead',
  'onsite_conversion.form',
  'submit_application',
  'onsite_conversion.submit_application',
]);
const FORM_ACTION_FRAGMENTS = ['lead_gen', 'leadgen', 'instant_form'] as const;

function normalizeActionType(actionType: unknown): string {
  return (typeof actionType === 'string' ? actionType : String(actionType ?? '')).toLowerCase();
}

/** The app's `parseInt(value, 10)`: "12.7" counts as 12; negatives and garbage are skipped. */
function parseCount(value: unknown): number | undefined {
  const n = Number.parseInt(typeof value === 'string' ? value : String(value ?? '0'), 10);
  return Number.isNaN(n) || n < 0 ? undefined : n;
}

function parseMoney(value: unknown): number | undefined {
  const n = toMetricNumber(typeof value === 'number' ? value : String(value ?? '0'));
  return n < 0 ? undefined : n;
}

/**
 * Sum per lower-cased action type; invalid entries are left out (so they are not "present"). Their types
 * go to `skippedTypes` when given (the phone type choice counts every reported type, valid or not).
 */
function buildActionMap(
  entries: readonly ActionEntry[],
  parse: (v: unknown) => number | undefined,
  skippedTypes?: string[],
) {
  const map = new Map<string, number>();
  for (const entry of entries) {
    const value = parse(entry.value);
    if (value === undefined) {
      skippedTypes?.push(normalizeActionType(entry.action_type));
      continue;
    }
    const type = normalizeActionType(entry.action_type);
    map.set(type, (map.get(type) ?? 0) + value);
  }
  return map;
}

/** First listed type that is present wins, even with value 0 (a present zero is an answer). */
function firstPresent(map: ReadonlyMap<string, number>, types: readonly string[]): number {
  for (const type of types) {
    // The map's keys are lower-cased: a lower-case type (every default) is looked up as it is.
    let value = map.get(type);
    if (value === undefined) {
      const lower = type.toLowerCase();
      if (lower !== type) value = map.get(lower);
    }
    if (value !== undefined) return value;
  }
  return 0;
}

function mappedTypes(
  mappings: ConversionMappings | undefined,
  metric: ConversionMetric,
): readonly string[] | undefined {
  const types = mappings?.meta?.[metric];
  return types && types.length > 0 ? types : undefined;
}

/**
 * Validates untrusted `conversion_mappings` JSON: unknown metrics, non-arrays and blank entries
 * are dropped, duplicates removed, and `{}` means "use the defaults".
 *
 * @example
 * normalizeConversionMappings({ meta: { click_to_call: [' client.phone ', ''] } })
 * // { meta: { click_to_call: ['client.phone'] } }
 */
export function normalizeConversionMappings(value: unknown): ConversionMappings {
  const normalizePlatform = (raw: unknown): PlatformConversionMappings | undefined => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
    const out: PlatformConversionMappings = {};
    for (const metric of CONVERSION_METRICS) {
      const types = (raw as Record<string, unknown>)[metric];
      if (!Array.isArray(types)) continue;
      const cleaned = [...new Set(types.map((t) => String(t ?? '').trim()).filter(Boolean))];
      if (cleaned.length > 0) out[metric] = cleaned;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const raw = value as Record<string, unknown>;
  const meta = normalizePlatform(raw.meta);
  const google = normalizePlatform(raw.google);
  return { ...(meta ? { meta } : {}), ...(google ? { google } : {}) };
}

/**
 * The one phone action type for an account: the first client custom phone event (conversion-rules.ts) any
 * campaign has, else
 * the first present of {@link PHONE_ACTION_PRIORITY}, else the alphabetically first
 * `click_to_call_*` type; `null` when none is present.
 */
export function selectAccountPhoneActionType(rows: readonly InsightsRow[]): string | null {
  const present = new Set<string>();
  for (const row of rows) {
    for (const entry of rowActions(row, 'actions')) present.add(normalizeActionType(entry.action_type));
  }
  return phoneTypeAmong(present);
}

/** The phone types to look for, in order: the client custom phone events, then the standard ones. */
const PHONE_TYPES_IN_ORDER: readonly string[] = [...CONVERSION_RULES.phoneActions, ...PHONE_ACTION_PRIORITY];
/** `localeCompare(b, 'en')` without building a collator per comparison. */
const compareEnglish = new Intl.Collator('en').compare;

function phoneTypeAmong(present: ReadonlySet<string>): string | null {
  for (const type of PHONE_TYPES_IN_ORDER) {
    if (present.has(type)) return type;
  }
  let fallback: string | null = null;
  for (const type of present) {
    if (!type.startsWith('click_to_call_') || type.includes('offsite_conversion')) continue;
    if (fallback === null || compareEnglish(type, fallback) < 0) fallback = type;
  }
  return fallback;
}

function matchesAny(actionType: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => actionType === pattern || actionType.includes(pattern));
}

/**
 * Phone and e-mail contacts from a row's `conversions[]` (the pixel patterns of conversion-rules.ts). Used only as the
 * account-wide fallback when no campaign reports contacts in `actions[]`.
 */
export function extractContactsFromConversions(
  conversions: readonly ActionEntry[],
  mappings?: ConversionMappings,
): { click_to_call: number; email_contacts: number } {
  const map = buildActionMap(conversions, parseCount);
  const mappedPhone = mappedTypes(mappings, 'click_to_call');
  const mappedEmail = mappedTypes(mappings, 'email_contacts');

  let click_to_call = 0;
  if (mappedPhone) {
    click_to_call = firstPresent(map, mappedPhone);
  } else {
    for (const [type, value] of map)
      if (matchesAny(type, CONVERSION_RULES.phoneConversionPatterns)) click_to_call += value;
  }

  let email_contacts = 0;
  if (mappedEmail) {
    email_contacts = firstPresent(map, mappedEmail);
  } else {
    for (const [type, value] of map)
      if (matchesAny(type, CONVERSION_RULES.emailConversionPatterns)) email_contacts += value;
    if (email_contacts === 0) email_contacts = firstPresent(map, CONVERSION_RULES.emailActions);
  }
  return { click_to_call, email_contacts };
}

/** Lead and instant-form actions in a row's `actions[]`, which the headline number excludes. */
export function sumFormConversionActions(actions: readonly ActionEntry[]): number {
  return sumFormConversionCounts(buildActionMap(actions, parseCount));
}

/** {@link sumFormConversionActions} of `actions[]` already summed per type (parseCount). */
function sumFormConversionCounts(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const [type, value] of counts) {
    if (FORM_ACTION_TYPES.has(type) || FORM_ACTION_FRAGMENTS.some((f) => type.includes(f))) sum += value;
  }
  return sum;
}

/**
 * Headline `conversions` of one row: `conversions[]` `omni_purchase` if present, else the sum of
 * the array; a scalar `conversions` (account rows, legacy data) is read as a number. Lead and
 * instant-form actions are subtracted, never going below 0.
 */
export function headlineConversions(row: InsightsRow): number {
  return headlineLessForms(row, sumFormConversionActions(rowActions(row, 'actions')));
}

function headlineLessForms(row: InsightsRow, formConversions: number): number {
  const raw = row.conversions;
  if (Array.isArray(raw)) {
    const purchase = raw.find((entry) => normalizeActionType(entry.action_type) === 'omni_purchase');
    const purchaseCount = purchase ? parseCount(purchase.value) : undefined;
    if (purchaseCount !== undefined) return Math.max(0, purchaseCount - formConversions);
    const total = raw.reduce((sum, entry) => sum + (parseCount(entry.value) ?? 0), 0);
    return Math.max(0, total - formConversions);
  }
  return Math.max(0, toMetricNumber(raw) - formConversions);
}

interface ParsedFromActions {
  click_to_call: number;
  email_contacts: number;
  booking_step_1: number;
  booking_step_2: number;
  booking_step_3: number;
  reservations: number;
  reservation_value: number;
}

function parseRowActions(
  actions: ReadonlyMap<string, number>,
  values: ReadonlyMap<string, number>,
  mappings: ConversionMappings | undefined,
  phoneActionType: string | null,
): ParsedFromActions {
  const pick = (metric: keyof typeof DEFAULT_ACTION_PRIORITIES): number =>
    firstPresent(actions, mappedTypes(mappings, metric) ?? DEFAULT_ACTION_PRIORITIES[metric]);

  const mappedPhone = mappedTypes(mappings, 'click_to_call');
  const mappedEmail = mappedTypes(mappings, 'email_contacts');
  // A client that maps reservations but not their value gets the value of the same events.
  const mappedValue = mappedTypes(mappings, 'reservation_value') ?? mappedTypes(mappings, 'reservations');

  return {
    click_to_call: mappedPhone
      ? firstPresent(actions, mappedPhone)
      : phoneActionType
        ? (actions.get(phoneActionType) ?? 0)
        : 0,
    email_contacts: firstPresent(actions, mappedEmail ?? CONVERSION_RULES.emailActions),
    booking_step_1: pick('booking_step_1'),
    booking_step_2: pick('booking_step_2'),
    booking_step_3: pick('booking_step_3'),
    reservations: pick('reservations'),
    reservation_value: firstPresent(values, mappedValue ?? DEFAULT_RESERVATION_VALUE_PRIORITY),
  };
}

function withRatios(funnel: ParsedFromActions, spend: number): ConversionMetrics {
  return {
    ...funnel,
    conversion_value: funnel.reservation_value,
    total_conversion_value: funnel.reservation_value,
    roas: safeRatio(funnel.reservation_value, spend),
    cost_per_reservation: safeRatio(spend, funnel.reservations),
  };
}

/** All-zero funnel, the value for an account with no insights rows. */
export function emptyConversionMetrics(): ConversionMetrics {
  return withRatios(
    {
      click_to_call: 0,
      email_contacts: 0,
      booking_step_1: 0,
      booking_step_2: 0,
      booking_step_3: 0,
      reservations: 0,
      reservation_value: 0,
    },
    0,
  );
}

/**
 * Parses one ad account's campaign-level insights rows (one period) the way the app's
 * `enhanceCampaignsWithConversions` + `aggregateConversionMetrics` do.
 *
 * Pass ALL of the account's rows for the period at once: the phone action type and the contact
 * sources are account-wide decisions, so parsing campaigns one by one gives different numbers.
 *
 * @example
 * const { campaigns, totals } = parseConversionMetrics(rows, normalizeConversionMappings(config.conversion_mappings));
 */
export function parseConversionMetrics(
  campaignRows: readonly InsightsRow[],
  mappings?: ConversionMappings,
): ConversionParseResult {
  // Each row's actions[] summed per type once: read by the phone type choice, the funnel and the headline.
  const skippedTypes: string[] = [];
  const counted = campaignRows.map((row) => ({
    row,
    actions: buildActionMap(rowActions(row, 'actions'), parseCount, skippedTypes),
    values: buildActionMap(rowActions(row, 'action_values'), parseMoney),
  }));
  let phoneActionType: string | null = null;
  if (!mappedTypes(mappings, 'click_to_call')) {
    const present = new Set<string>(skippedTypes);
    for (const { actions } of counted) for (const type of actions.keys()) present.add(type);
    phoneActionType = phoneTypeAmong(present);
  }
  const parsed = counted.map(({ row, actions, values }) => ({
    row,
    actions,
    spend: toMetricNumber(rowString(row, 'spend')),
    fromActions: parseRowActions(actions, values, mappings, phoneActionType),
  }));

  const phonesFromActions = parsed.some((p) => p.fromActions.click_to_call > 0);
  const emailsFromActions = parsed.some((p) => p.fromActions.email_contacts > 0);

  const campaigns = parsed.map(({ row, actions, spend, fromActions }): CampaignConversions => {
    // conversions[] is read only for a contact no campaign reported in actions[].
    const fromConversions =
      (fromActions.click_to_call > 0 || phonesFromActions) &&
      (fromActions.email_contacts > 0 || emailsFromActions)
        ? undefined
        : extractContactsFromConversions(rowActions(row, 'conversions'), mappings);
    const funnel: ParsedFromActions = {
      ...fromActions,
      click_to_call:
        fromActions.click_to_call > 0
          ? fromActions.click_to_call
          : phonesFromActions
            ? 0
            : (fromConversions?.click_to_call ?? 0),
      email_contacts:
        fromActions.email_contacts > 0
          ? fromActions.email_contacts
          : emailsFromActions
            ? 0
            : (fromConversions?.email_contacts ?? 0),
    };
    return {
      ...withRatios(funnel, spend),
      conversions: headlineLessForms(row, sumFormConversionCounts(actions)),
    };
  });

  const spend = parsed.reduce((sum, p) => sum + p.spend, 0);
  const sum = (key: keyof ParsedFromActions): number => campaigns.reduce((total, c) => total + c[key], 0);
  const totals = withRatios(
    {
      click_to_call: sum('click_to_call'),
      email_contacts: sum('email_contacts'),
      booking_step_1: sum('booking_step_1'),
      booking_step_2: sum('booking_step_2'),
      booking_step_3: sum('booking_step_3'),
      reservations: sum('reservations'),
      reservation_value: sum('reservation_value'),
    },
    spend,
  );

  return {
    campaigns,
    totals,
    headlineConversions: campaigns.reduce((total, c) => total + c.conversions, 0),
    spend,
    phoneActionType,
    contactSources: {
      click_to_call: phonesFromActions ? 'actions' : 'conversions',
      email_contacts: emailsFromActions ? 'actions' : 'conversions',
    },
  };
}
