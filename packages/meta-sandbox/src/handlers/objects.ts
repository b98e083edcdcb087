/**
 * @module
 * Object reads: `/me`, `/me/adaccounts`, `/act_<id>`, its `campaigns` / `adsets` / `ads` edges,
 * and `/<campaign|adset|ad id>`. Fields are validated like Graph does
 * ("Tried accessing nonexisting field ...").
 */
import { type GraphError, invalidParameterError, nonexistingFieldError } from '../graph/errors.ts';
import { buildPage, pageRequest } from '../graph/paging.ts';
import { type Params, parseJson, parseList, splitAlias } from '../graph/params.ts';
import { type EntityFilter, matches, parseFiltering } from '../insights/filtering.ts';
import { DAY_MS, formatMetaTimestamp, zoneOffsetMinutes } from '../util/dates.ts';
import type { AccountModel, AdModel, AdsetModel, CampaignModel, EntityModel } from '../world/build-world.ts';
import { dayRecord, M_SPEND_CENTS } from '../world/day-record.ts';
import { type CallContext, type HandlerResult, linkBase, ok } from './types.ts';

type FieldMap<T> = Record<string, (item: T, ctx: CallContext) => unknown>;

/** Parses `fields` against the node's known fields; undefined values are omitted from output. */
function selectFields<T>(
  item: T,
  params: Params,
  map: FieldMap<T>,
  defaults: readonly string[],
  nodeType: string,
  ctx: CallContext,
): Record<string, unknown> | GraphError {
  let fields: readonly string[] = defaults;
  const raw = params.get('fields');
  if (raw !== undefined) {
    const list = parseList(raw);
    if (list === null) return invalidParameterError('fields must be a list of field names');
    if (list.length > 0) fields = list;
  }
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const { name, alias } = splitAlias(field);
    const read = map[name];
    if (!read) return nonexistingFieldError(field, nodeType);
    const value = read(item, ctx);
    if (value !== undefined) out[alias] = value;
  }
  if (!('id' in out) && map.id) out.id = map.id(item, ctx);
  return out;
}

function isError(value: unknown): value is GraphError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'error';
}

function lifetimeSpendCents(ctx: CallContext, account: AccountModel): number {
  const today = ctx.state.today(account, ctx.now);
  return ctx.state.amountSpent(account, today, () => {
    let total = 0;
    for (const ad of account.ads) {
      const last = Math.min(today, ad.endDay ?? today);
      for (let day = ad.startDay; day <= last; day++) total += dayRecord(ad, day)?.[M_SPEND_CENTS] ?? 0;
    }
    return total;
  });
}

const ACCOUNT_FIELDS: FieldMap<AccountModel> = {
  id: (a) => `act_${a.config.id}`,
  account_id: (a) => a.config.id,
  name: (a) => a.config.name,
  account_status: (a) => a.config.status,
  disable_reason: (a) => a.config.disableReason,
  currency: (a) => a.config.currency,
  timezone_name: (a) => a.config.timezone,
  timezone_offset_hours_utc: (a, ctx) => zoneOffsetMinutes(ctx.now, a.config.timezone) / 60,
  amount_spent: (a, ctx) => String(Math.round(lifetimeSpendCents(ctx, a))),
  spend_cap: () => '0',
  balance: () => '0',
  age: (a, ctx) => Math.round(((ctx.now - a.createdMs) / DAY_MS) * 1000) / 1000,
  created_time: (a) => formatMetaTimestamp(a.createdMs, a.config.timezone),
  business: (a) => ({ id: a.config.businessId, name: `${a.config.name} Business` }),
  owner: (a) => a.config.businessId,
  funding_source: (a) => (a.config.status === 1 ? `${a.config.businessId.slice(0, 8)}0001` : undefined),
  user_tasks: () => ['MANAGE', 'ADVERTISE', 'ANALYZE'],
  is_personal: () => 0,
  min_daily_budget: () => 100,
};

/** Fields of an account, also used for `/me/adaccounts` rows. */
export function accountObject(ctx: CallContext, account: AccountModel, defaults: readonly string[]) {
  return selectFields(account, ctx.req.params, ACCOUNT_FIELDS, defaults, 'AdAccount', ctx);
}

/** `GET /act_<id>`: default fields id and account_id (reference §5.3). */
export function getAdAccount(ctx: CallContext, account: AccountModel): HandlerResult {
  const body = accountObject(ctx, account, ['id', 'account_id']);
  return isError(body) ? body : ok(body);
}

const timestamp = (ms: number, account: AccountModel) => formatMetaTimestamp(ms, account.config.timezone);
const dayTimestamp = (day: number, account: AccountModel) => timestamp(day * DAY_MS + 8 * 3_600_000, account);

const COMMON_FIELDS = {
  id: (e: EntityModel) => e.id,
  name: (e: EntityModel) => e.name,
  status: (e: EntityModel) => e.status,
  configured_status: (e: EntityModel) => e.status,
  effective_status: (e: EntityModel) => e.effectiveStatus,
  account_id: (e: EntityModel) => e.account.config.id,
  created_time: (e: EntityModel) => timestamp(e.createdMs, e.account),
  updated_time: (e: EntityModel) => timestamp(e.createdMs + 3_600_000, e.account),
};

const CAMPAIGN_FIELDS: FieldMap<CampaignModel> = {
  ...COMMON_FIELDS,
  objective: (c) => c.objective,
  start_time: (c) => dayTimestamp(c.startDay, c.account),
  stop_time: (c) => (c.endDay === null ? undefined : dayTimestamp(c.endDay + 1, c.account)),
  daily_budget: (c) => String(c.dailyBudgetCents),
  budget_remaining: (c) => String(Math.round(c.dailyBudgetCents / 3)),
  buying_type: () => 'AUCTION',
  bid_strategy: () => 'LOWEST_COST_WITHOUT_CAP',
  special_ad_categories: () => [],
};

const ADSET_FIELDS: FieldMap<AdsetModel> = {
  ...COMMON_FIELDS,
  campaign_id: (s) => s.campaign.id,
  start_time: (s) => dayTimestamp(s.startDay, s.account),
  end_time: (s) => (s.endDay === null ? undefined : dayTimestamp(s.endDay + 1, s.account)),
  optimization_goal: (s) =>
    s.campaign.objective === 'OUTCOME_TRAFFIC' ? 'LINK_CLICKS' : 'OFFSITE_CONVERSIONS',
  billing_event: () => 'IMPRESSIONS',
};

const AD_FIELDS: FieldMap<AdModel> = {
  ...COMMON_FIELDS,
  campaign_id: (a) => a.campaign.id,
  adset_id: (a) => a.adset.id,
};

/** `GET /<id>` for a campaign, ad set or ad (default field: id). */
export function getEntity(ctx: CallContext, entity: EntityModel): HandlerResult {
  const body =
    entity.kind === 'campaign'
      ? selectFields(entity, ctx.req.params, CAMPAIGN_FIELDS, ['id'], 'Campaign', ctx)
      : entity.kind === 'adset'
        ? selectFields(entity, ctx.req.params, ADSET_FIELDS, ['id'], 'AdSet', ctx)
        : selectFields(entity, ctx.req.params, AD_FIELDS, ['id'], 'Adgroup', ctx);
  return isError(body) ? body : ok(body);
}

function entityAttribute(entity: EntityModel, filter: EntityFilter): string | undefined {
  const target: EntityModel | undefined =
    filter.entity === entity.kind
      ? entity
      : filter.entity === 'campaign' && entity.kind !== 'campaign'
        ? entity.campaign
        : filter.entity === 'adset' && entity.kind === 'ad'
          ? entity.adset
          : undefined;
  if (!target) return undefined;
  switch (filter.attribute) {
    case 'id':
      return target.id;
    case 'effective_status':
      return target.effectiveStatus;
    case 'name':
      return target.name;
    case 'objective':
      return target.kind === 'campaign' ? target.objective : target.campaign.objective;
  }
}

/** `effective_status=[...]` and `filtering=[...]` on object edges (bare fields refer to the listed kind). */
function edgeFilter(
  params: Params,
  kind: EntityModel['kind'],
): ((entity: EntityModel) => boolean) | GraphError {
  const checks: Array<(entity: EntityModel) => boolean> = [];
  const statuses = params.get('effective_status');
  if (statuses !== undefined) {
    const list = parseList(statuses);
    if (list === null) return invalidParameterError('effective_status must be a list of statuses');
    checks.push((entity) => list.includes(entity.effectiveStatus));
  }
  const filtering = params.get('filtering');
  if (filtering !== undefined) {
    const raw = parseJson(filtering);
    const prefixed = Array.isArray(raw)
      ? raw.map((item: unknown) => {
          if (item === null || typeof item !== 'object') return item;
          const field = (item as { field?: unknown }).field;
          return typeof field === 'string' && !field.includes('.')
            ? { ...item, field: `${kind}.${field}` }
            : item;
        })
      : raw;
    const parsed = parseFiltering(prefixed);
    if (typeof parsed === 'string') return invalidParameterError(parsed);
    const entityFilters = parsed.filter((f): f is EntityFilter => f.kind === 'entity');
    checks.push((entity) =>
      entityFilters.every((f) => {
        const actual = entityAttribute(entity, f);
        return actual === undefined || matches(actual, f.operator, f.value);
      }),
    );
  }
  return (entity) => checks.every((check) => check(entity));
}

/** `GET /act_<id>/campaigns|adsets|ads`: paged, default field id. */
export function listEdge(
  ctx: CallContext,
  account: AccountModel,
  edge: 'campaigns' | 'adsets' | 'ads',
): HandlerResult {
  const { state, req } = ctx;
  const filter = edgeFilter(
    req.params,
    edge === 'campaigns' ? 'campaign' : edge === 'adsets' ? 'adset' : 'ad',
  );
  if (isError(filter)) return filter;
  const items: EntityModel[] = (
    edge === 'campaigns' ? account.campaigns : edge === 'adsets' ? account.adsets : account.ads
  ).filter(filter);
  const page = pageRequest(
    req.params,
    state.settings.insights.defaultLimit,
    state.settings.insights.maxLimit,
    state.seed,
  );
  if (typeof page === 'string') return invalidParameterError(page);
  const rows: Array<Record<string, unknown>> = [];
  for (const item of items.slice(page.offset, page.offset + page.limit)) {
    const row = getEntity(ctx, item);
    if (row.kind === 'error') return row;
    rows.push(row.body as Record<string, unknown>);
  }
  // Page over the ids, then fill the page's rows (cheap for large edges).
  const envelope = buildPage(
    items.map((item) => item.id),
    page,
    { base: linkBase(ctx), params: req.params, keepToken: req.tokenInQuery },
    state.seed,
  );
  return ok({ ...envelope, data: rows });
}

/** `GET /me`. */
export function getMe(ctx: CallContext): HandlerResult {
  const user = { id: ctx.token.userId, name: ctx.state.settings.systemUser.name };
  const body = selectFields(
    user,
    ctx.req.params,
    { id: (u) => u.id, name: (u) => u.name },
    ['id', 'name'],
    'User',
    ctx,
  );
  return isError(body) ? body : ok(body);
}

/** `GET /me/adaccounts`: the accounts the token may read (disabled ones included), paged. */
export function listMyAdAccounts(ctx: CallContext): HandlerResult {
  const { state, req, token } = ctx;
  const accounts = state.world.accountOrder
    .filter((id) => state.tokens.canRead(token, id))
    .map((id) => state.world.accounts.get(id) as AccountModel);
  const page = pageRequest(
    req.params,
    state.settings.insights.defaultLimit,
    state.settings.insights.maxLimit,
    state.seed,
  );
  if (typeof page === 'string') return invalidParameterError(page);
  const rows: Array<Record<string, unknown>> = [];
  for (const account of accounts.slice(page.offset, page.offset + page.limit)) {
    const row = accountObject(ctx, account, ['id']);
    if (isError(row)) return row;
    rows.push(row);
  }
  const envelope = buildPage(
    accounts.map((a) => a.config.id),
    page,
    { base: linkBase(ctx), params: req.params, keepToken: req.tokenInQuery },
    state.seed,
  );
  return ok({ ...envelope, data: rows });
}
