/**
 * @module
 * The Graph request pipeline, shared by HTTP requests, batch items and `?ids=` sub-calls:
 * route -> token -> app-wide budget -> v27 restrictions -> object and permission -> app insights
 * load -> score limiter -> BUC limiter -> injected server error / quirk -> endpoint handler ->
 * usage headers (errors included) -> the bare-error quirk.
 */
import type { BucType } from './config/schema.ts';
import type { EffectiveFaults } from './faults/fault-engine.ts';
import {
  appBudgetError,
  appInsightsThrottleError,
  bucThrottleError,
  errorIn200,
  expiredTokenError,
  type GraphError,
  type GraphErrorBody,
  invalidParameterError,
  invalidTokenError,
  missingTokenError,
  revokedTokenError,
  scoreThrottleError,
  serverError,
  unknownAliasesError,
  unknownPathError,
  unsupportedRequestError,
  v27RestrictionError,
} from './graph/errors.ts';
import { parseList } from './graph/params.ts';
import {
  AD_ACCOUNT_USAGE_HEADER,
  APP_USAGE_HEADER,
  adAccountUsage,
  appUsage,
  BUC_USAGE_HEADER,
  businessUseCaseUsage,
  fractionalPercent,
  INSIGHTS_THROTTLE_HEADER,
  insightsThrottle,
} from './graph/usage-headers.ts';
import { runBatch } from './handlers/batch.ts';
import { debugToken } from './handlers/debug-token.ts';
import { createReportRun, getInsights, getReportRun, getReportRunInsights } from './handlers/insights.ts';
import { getAdAccount, getEntity, getMe, listEdge, listMyAdAccounts } from './handlers/objects.ts';
import type { CallContext, GraphRequest, GraphResponse, HandlerResult } from './handlers/types.ts';
import type { InsightsScope } from './insights/compute-insights.ts';
import type { InsightsLevel } from './insights/insights-query.ts';
import type { BucUsage } from './limits/buc-limiter.ts';
import type { ScoreState } from './limits/score-limiter.ts';
import type { ReportRun } from './reports/report-runs.ts';
import type { SandboxState } from './state.ts';
import type { TokenRecord } from './tokens/token-store.ts';
import { formatPacificTimestamp } from './util/dates.ts';
import type { AccountModel, EntityModel } from './world/build-world.ts';

const JSON_TYPE = 'application/json; charset=UTF-8';
const FB_REV = '1019283746';

type AccountEdge = 'campaigns' | 'adsets' | 'ads' | 'insights';

export type Route =
  | { kind: 'root' }
  | { kind: 'me' }
  | { kind: 'me_adaccounts' }
  | { kind: 'debug_token' }
  | { kind: 'account'; accountId: string; edge: AccountEdge | null }
  | { kind: 'async_batch'; accountId: string }
  | { kind: 'object'; id: string; edge: 'insights' | null }
  | { kind: 'unknown_path'; components: string };

const ACCOUNT_EDGES = new Set<string>(['campaigns', 'adsets', 'ads', 'insights']);

/** Maps a version-less path to a route. */
export function parseRoute(path: string): Route {
  const segments = path.split('/').filter((s) => s.length > 0);
  const [first, second, ...rest] = segments;
  if (first === undefined) return { kind: 'root' };
  if (rest.length > 0) return { kind: 'unknown_path', components: `/${rest.join('/')}` };
  if (first === 'me') {
    if (second === undefined) return { kind: 'me' };
    if (second === 'adaccounts') return { kind: 'me_adaccounts' };
    return { kind: 'unknown_path', components: `/${second}` };
  }
  if (first === 'debug_token' && second === undefined) return { kind: 'debug_token' };
  const act = /^act_(\d+)$/.exec(first);
  if (act) {
    if (second === undefined) return { kind: 'account', accountId: act[1] ?? '', edge: null };
    if (ACCOUNT_EDGES.has(second))
      return { kind: 'account', accountId: act[1] ?? '', edge: second as AccountEdge };
    if (second === 'async_batch_requests') return { kind: 'async_batch', accountId: act[1] ?? '' };
    return { kind: 'unknown_path', components: `/${second}` };
  }
  if (second === undefined) return { kind: 'object', id: first, edge: null };
  if (second === 'insights') return { kind: 'object', id: first, edge: 'insights' };
  return { kind: 'unknown_path', components: `/${second}` };
}

/** The ad account a path is about, if any (used to target transport faults). */
export function accountForPath(state: SandboxState, path: string): string | null {
  const route = parseRoute(path);
  if (route.kind === 'account') return state.world.accounts.has(route.accountId) ? route.accountId : null;
  if (route.kind === 'object') {
    const entity = state.world.objects.get(route.id);
    if (entity) return entity.account.config.id;
    return state.reports.get(route.id, state.now())?.accountId ?? null;
  }
  return null;
}

function baseHeaders(state: SandboxState, req: GraphRequest, trace: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['content-type', JSON_TYPE],
    ['facebook-api-version', req.version],
    ['x-fb-trace-id', trace],
    ['x-fb-rev', FB_REV],
  ];
  if (state.settings.exposeTimeScaleHeader)
    headers.push(['x-sandbox-time-scale', String(state.clock.timeScale)]);
  return headers;
}

function finish(
  state: SandboxState,
  result: HandlerResult,
  headers: Array<[string, string]>,
  trace: string,
  accountId: string | null,
): GraphResponse {
  let status: number;
  let body: string;
  if (result.kind === 'error') {
    status = result.status;
    const error = result.withTrace ? { ...result.error, fbtrace_id: trace } : result.error;
    const faults = state.faultsFor(accountId);
    if (faults.bareErrorRate > 0 && state.faults.chance(accountId, 'bare-error', faults.bareErrorRate)) {
      // Quirk: HTTP 403 with the error fields at the top level (no `error` wrapper).
      state.counters.app.quirks++;
      status = 403;
      body = JSON.stringify(bareError(error));
    } else {
      body = JSON.stringify({ error });
    }
    if (result.category === 'throttle') state.counters.app.throttles++;
    else state.counters.app.errors++;
  } else {
    status = result.status ?? 200;
    body = JSON.stringify(result.body);
  }
  return { status, headers, body, accountId };
}

/** `{"code":80004,"error_subcode":2446079,"message":"...",...}`: the error object without its wrapper. */
function bareError(error: GraphErrorBody & { fbtrace_id?: string }): Record<string, unknown> {
  const { code, error_subcode, message, ...rest } = error;
  return error_subcode === undefined ? { code, message, ...rest } : { code, error_subcode, message, ...rest };
}

/** An injected 5xx, or the `errorIn200` quirk, or null. */
function injectedError(
  state: SandboxState,
  faults: EffectiveFaults,
  scope: string | null,
): GraphError | null {
  const status = state.faults.serverError(faults, scope);
  if (status !== null) {
    state.counters.app.injectedServerErrors++;
    return serverError(status);
  }
  if (state.faults.chance(scope, 'error-in-200', faults.errorIn200Rate)) {
    state.counters.app.quirks++;
    return errorIn200(faults.errorIn200);
  }
  return null;
}

function authenticate(state: SandboxState, req: GraphRequest, now: number): TokenRecord | GraphError {
  if (req.token === null || req.token.length === 0) return missingTokenError();
  const record = state.tokens.get(req.token);
  if (!record) return invalidTokenError();
  const tokenState = state.tokens.stateAt(record, now);
  if (tokenState === 'revoked') return revokedTokenError(record.revokedSubcode);
  if (tokenState === 'expired') {
    return expiredTokenError(formatPacificTimestamp(record.expiresAt ?? now), formatPacificTimestamp(now));
  }
  return record;
}

/** Dispatches one Graph call (HTTP request, batch item or `?ids=` sub-call). Never throws for bad input. */
export function dispatchGraph(state: SandboxState, req: GraphRequest): GraphResponse {
  const trace = state.nextTraceId();
  const headers = baseHeaders(state, req, trace);
  const now = state.now();
  state.counters.app.requests++;
  const route = parseRoute(req.path);

  if (route.kind === 'root' && req.method === 'POST' && !req.inBatch) {
    return dispatchBatch(state, req, headers, trace, now);
  }
  const auth = authenticate(state, req, now);
  if ('kind' in auth) {
    state.counters.app.tokenErrors++;
    return finish(state, auth, headers, trace, null);
  }
  const ids = req.params.get('ids');
  if (ids !== undefined && !state.settings.appCreatedAfterV27) {
    // Each ID is its own call (reference §5.4: "?ids=4,5,6 = 3 calls").
    return dispatchMultiId(state, req, ids, headers, trace);
  }
  const budgetSettings = state.appBudgetSettings();
  const budget = state.appBudget.call(now, budgetSettings);
  if (!budget.allowed) state.counters.app.appBudgetThrottles++;
  const ctx: CallContext = {
    state,
    req,
    token: auth,
    now,
    faults: state.faultsFor(null),
    appThrottled: !budget.allowed,
  };
  const response = routeCall(ctx, route, headers, trace, ids !== undefined);
  if (
    budgetSettings.enforce ||
    route.kind === 'me' ||
    route.kind === 'me_adaccounts' ||
    route.kind === 'debug_token'
  ) {
    const usage = budget.allowed ? state.appBudget.peek(now, budgetSettings) : budget.usage;
    response.headers.push([APP_USAGE_HEADER, appUsage(usage, state.settings.rateLimits.usagePrecision)]);
  }
  return response;
}

/** Routes an authenticated call that the app budget has counted. */
function routeCall(
  ctx: CallContext,
  route: Route,
  headers: Array<[string, string]>,
  trace: string,
  hasIds: boolean,
): GraphResponse {
  const { state, req, token, now } = ctx;
  /** Answers an error that needs no ad account (the app throttle wins when it applies). */
  const plain = (error: GraphError, accountId: string | null = null) =>
    finish(
      state,
      ctx.appThrottled ? appBudgetError(false, state.settings.appBudget.plainStatus) : error,
      headers,
      trace,
      accountId,
    );

  if (state.settings.appCreatedAfterV27) {
    if (hasIds) return plain(v27RestrictionError('ids'));
    if (route.kind === 'async_batch') return plain(v27RestrictionError('async_batch'));
    if (req.params.get('fields')?.includes('.as(')) return plain(v27RestrictionError('alias'));
  }

  switch (route.kind) {
    case 'root':
      return plain(unsupportedRequestError(req.method, ''));
    case 'unknown_path':
      return plain(unknownPathError(route.components));
    case 'async_batch':
      return plain(
        invalidParameterError(
          'Async batch requests are not emulated: the sandbox has no write endpoints (see its README)',
        ),
      );
    case 'me':
    case 'me_adaccounts':
    case 'debug_token':
      return appCall(ctx, headers, trace, () => {
        if (req.method !== 'GET')
          return unsupportedRequestError(req.method, route.kind === 'debug_token' ? 'debug_token' : 'me');
        return route.kind === 'me'
          ? getMe(ctx)
          : route.kind === 'me_adaccounts'
            ? listMyAdAccounts(ctx)
            : debugToken(ctx);
      });
    case 'account': {
      const account = state.world.accounts.get(route.accountId);
      const objectId = `act_${route.accountId}`;
      if (!account || !state.tokens.canRead(token, route.accountId)) {
        return denied(
          ctx,
          headers,
          trace,
          objectId,
          account,
          route.edge === 'insights' ? 'ads_insights' : 'ads_management',
        );
      }
      if (route.edge === 'insights') {
        const scope: InsightsScope = { account, ads: account.ads };
        if (req.method === 'GET')
          return accountCall(ctx, account, 'ads_insights', headers, trace, (c) =>
            getInsights(c, scope, objectId, 'account'),
          );
        if (req.method === 'POST') {
          return accountCall(
            ctx,
            account,
            'ads_insights',
            headers,
            trace,
            (c) => createReportRun(c, scope, 'account'),
            true,
          );
        }
      } else if (req.method === 'GET') {
        const edge = route.edge;
        return accountCall(ctx, account, 'ads_management', headers, trace, (c) =>
          edge === null ? getAdAccount(c, account) : listEdge(c, account, edge),
        );
      }
      return plain(unsupportedRequestError(req.method, objectId), route.accountId);
    }
    case 'object': {
      const entity = state.world.objects.get(route.id);
      if (entity) return entityCall(ctx, entity, route.edge, headers, trace);
      const run = state.reports.get(route.id, now);
      if (run) return reportCall(ctx, run, route.edge, headers, trace);
      return plain(unsupportedRequestError(req.method, route.id));
    }
  }
}

/** Whether `id` names something a multi-ID read can return. */
function knownId(state: SandboxState, id: string): boolean {
  const act = /^act_(\d+)$/.exec(id);
  if (act) return state.world.accounts.has(act[1] ?? '');
  return state.world.objects.has(id) || state.reports.get(id, state.now()) !== undefined;
}

/**
 * `GET /?ids=a,b` and `GET /<edge>?ids=a,b` (apps created before v27): one sub-call per ID,
 * each counted against its own bucket and the app budget. The answer is `{"a": {...}, "b": {...}}`
 * with the sub-calls' `X-Business-Use-Case-Usage` entries merged; the first failing sub-call
 * answers for the whole request.
 */
function dispatchMultiId(
  state: SandboxState,
  req: GraphRequest,
  raw: string,
  headers: Array<[string, string]>,
  trace: string,
): GraphResponse {
  const ids = [...new Set(parseList(raw) ?? [])];
  if (ids.length === 0)
    return finish(state, invalidParameterError('ids must name at least one object'), headers, trace, null);
  if (ids.length > 50)
    return finish(state, invalidParameterError('Too many IDs. Maximum: 50'), headers, trace, null);
  const unknown = ids.filter((id) => !knownId(state, id));
  if (unknown.length > 0) return finish(state, unknownAliasesError(unknown), headers, trace, null);
  const suffix = req.path === '/' ? '' : req.path;
  const params = new Map(req.params);
  params.delete('ids');
  const parts: string[] = [];
  const usage: Record<string, unknown> = {};
  let last: GraphResponse | null = null;
  for (const id of ids) {
    const sub = dispatchGraph(state, { ...req, path: `/${id}${suffix}`, params: new Map(params) });
    if (sub.status !== 200) return sub;
    for (const [name, value] of sub.headers) {
      if (name === BUC_USAGE_HEADER) Object.assign(usage, JSON.parse(value) as object);
    }
    parts.push(`${JSON.stringify(id)}:${sub.body}`);
    last = sub;
  }
  const merged = headers.slice();
  for (const [name, value] of last?.headers ?? []) {
    if (name === BUC_USAGE_HEADER) merged.push([name, JSON.stringify(usage)]);
    else if (
      name === AD_ACCOUNT_USAGE_HEADER ||
      name === INSIGHTS_THROTTLE_HEADER ||
      name === APP_USAGE_HEADER
    )
      merged.push([name, value]);
  }
  return { status: 200, headers: merged, body: `{${parts.join(',')}}`, accountId: null };
}

function dispatchBatch(
  state: SandboxState,
  req: GraphRequest,
  headers: Array<[string, string]>,
  trace: string,
  now: number,
): GraphResponse {
  const auth = authenticate(state, req, now);
  if ('kind' in auth) {
    state.counters.app.tokenErrors++;
    return finish(state, auth, headers, trace, null);
  }
  const result = runBatch(state, req, dispatchGraph);
  const budgetSettings = state.appBudgetSettings();
  if (budgetSettings.enforce) {
    // The envelope is not a call of its own (its items are), but it reports the app's usage.
    headers.push([
      APP_USAGE_HEADER,
      appUsage(state.appBudget.peek(now, budgetSettings), state.settings.rateLimits.usagePrecision),
    ]);
  }
  if ('kind' in result) return finish(state, result, headers, trace, null);
  return { status: 200, headers, body: JSON.stringify(result.items), accountId: null };
}

/** Unknown account, or one the token may not read: 100/33. */
function denied(
  ctx: CallContext,
  headers: Array<[string, string]>,
  trace: string,
  objectId: string,
  account: AccountModel | undefined,
  buc: BucType,
): GraphResponse {
  const { state } = ctx;
  if (ctx.appThrottled) {
    return finish(state, appBudgetError(false, state.settings.appBudget.plainStatus), headers, trace, null);
  }
  if (account) {
    state.counters.bucket(account.config.id, buc).errors++;
  }
  return finish(state, unsupportedRequestError(ctx.req.method, objectId), headers, trace, null);
}

function entityCall(
  ctx: CallContext,
  entity: EntityModel,
  edge: 'insights' | null,
  headers: Array<[string, string]>,
  trace: string,
): GraphResponse {
  const account = entity.account;
  const { req, state } = ctx;
  if (!state.tokens.canRead(ctx.token, account.config.id)) {
    return denied(
      ctx,
      headers,
      trace,
      entity.id,
      account,
      edge === 'insights' ? 'ads_insights' : 'ads_management',
    );
  }
  if (edge === null) {
    if (req.method !== 'GET')
      return finish(state, unsupportedRequestError(req.method, entity.id), headers, trace, account.config.id);
    return accountCall(ctx, account, 'ads_management', headers, trace, (c) => getEntity(c, entity));
  }
  const ads = entity.kind === 'ad' ? [entity] : entity.ads;
  const scope: InsightsScope = { account, ads };
  const level: InsightsLevel = entity.kind;
  if (req.method === 'GET')
    return accountCall(ctx, account, 'ads_insights', headers, trace, (c) =>
      getInsights(c, scope, entity.id, level),
    );
  if (req.method === 'POST') {
    return accountCall(
      ctx,
      account,
      'ads_insights',
      headers,
      trace,
      (c) => createReportRun(c, scope, level),
      true,
    );
  }
  return finish(state, unsupportedRequestError(req.method, entity.id), headers, trace, account.config.id);
}

function reportCall(
  ctx: CallContext,
  run: ReportRun,
  edge: 'insights' | null,
  headers: Array<[string, string]>,
  trace: string,
): GraphResponse {
  const { state, req } = ctx;
  const account = run.scope.account;
  if (!state.tokens.canRead(ctx.token, account.config.id) || req.method !== 'GET') {
    return denied(ctx, headers, trace, run.id, account, 'ads_insights');
  }
  return accountCall(ctx, account, 'ads_insights', headers, trace, (c) =>
    edge === null ? getReportRun(c, run) : getReportRunInsights(c, run),
  );
}

/** Calls without an ad account (`/me`, `/me/adaccounts`, `/debug_token`); `X-App-Usage` is added by the caller. */
function appCall(
  ctx: CallContext,
  headers: Array<[string, string]>,
  trace: string,
  handler: () => HandlerResult,
): GraphResponse {
  const { state } = ctx;
  const result: HandlerResult = ctx.appThrottled
    ? appBudgetError(false, state.settings.appBudget.plainStatus)
    : (injectedError(state, ctx.faults, null) ?? handler());
  return finish(state, result, headers, trace, null);
}

/**
 * An ad-account call: limiters in Meta's order, then the handler; usage headers on every
 * outcome. `write` scores 3 points in the score limiter (report-run creation).
 */
function accountCall(
  base: CallContext,
  account: AccountModel,
  buc: BucType,
  headers: Array<[string, string]>,
  trace: string,
  handler: (ctx: CallContext) => HandlerResult,
  write = false,
): GraphResponse {
  const { state, now } = base;
  const accountId = account.config.id;
  const ctx: CallContext = { ...base, faults: state.faultsFor(accountId) };
  const counters = state.counters.bucket(accountId, buc);
  counters.calls++;
  const settings = state.settings;
  const bucSettings = state.bucSettings();
  const quota = state.quota(account, buc, now);
  const insights = buc === 'ads_insights';
  const loadSettings = settings.appInsightsLoad;

  let result: HandlerResult | null = null;
  let usage: BucUsage | null = null;
  let score: ScoreState | null = null;
  let loadPct: number | null = null;

  if (ctx.appThrottled) result = appBudgetError(insights, settings.appBudget.plainStatus);
  if (result === null && insights && loadSettings.enabled) {
    const load = state.appLoad.insightsCall(now, true, loadSettings.maxCallsPerSecond);
    loadPct = load.pct;
    if (load.throttled) result = appInsightsThrottleError(loadSettings.form);
  }
  if (result === null && settings.scoreLimiter.enabled) {
    score = state.score.check(accountId, now, write ? 3 : 1, state.scoreSettings(account.config.tier));
    if (!score.allowed) result = scoreThrottleError(settings.scoreLimiter.errorForm);
  }
  if (result === null) {
    const decision = state.buc.check(accountId, buc, now, quota, bucSettings, 1, settings.rateLimits.enabled);
    usage = decision.usage;
    if (!decision.allowed) result = bucThrottleError(buc);
  }
  result ??= injectedError(state, ctx.faults, accountId) ?? handler(ctx);

  if (result.kind === 'error') {
    if (result.category === 'throttle') counters.throttles++;
    else {
      counters.errors++;
      state.buc.recordError(accountId, buc, now);
    }
  }

  // Usage headers, errors included.
  usage ??= state.buc.peek(accountId, buc, now, quota, bucSettings);
  const tier = account.config.tier;
  headers.push([
    BUC_USAGE_HEADER,
    businessUseCaseUsage(accountId, usage, tier, settings.rateLimits.usagePrecision),
  ]);
  if (settings.scoreLimiter.enabled) {
    score ??= state.score.peek(accountId, now, state.scoreSettings(tier));
    headers.push([
      AD_ACCOUNT_USAGE_HEADER,
      adAccountUsage(score.utilPct, Math.ceil(score.resetMs / 1000), tier),
    ]);
  } else {
    const otherBuc: BucType = insights ? 'ads_management' : 'ads_insights';
    const other = state.buc.peek(accountId, otherBuc, now, state.quota(account, otherBuc, now), bucSettings);
    const pct = fractionalPercent(Math.max(usage.callPct, other.callPct));
    const resetMs = Math.max(usage.resetMs, other.resetMs);
    headers.push([AD_ACCOUNT_USAGE_HEADER, adAccountUsage(pct, Math.ceil(resetMs / 1000), tier)]);
  }
  if (insights) {
    headers.push([
      INSIGHTS_THROTTLE_HEADER,
      insightsThrottle(
        fractionalPercent(appInsightsPct(ctx, loadPct)),
        fractionalPercent(usage.callPct),
        tier,
      ),
    ]);
  }
  return finish(state, result, headers, trace, accountId);
}

/**
 * `app_id_util_pct`: the higher of the app's insights load (when `appInsightsLoad` is on) and
 * its app-wide budget (when `appBudget` is on); 0 when neither limit exists.
 */
function appInsightsPct(ctx: CallContext, loadPct: number | null): number {
  const { state, now } = ctx;
  const load = state.settings.appInsightsLoad;
  let pct = 0;
  if (load.enabled) pct = loadPct ?? state.appLoad.insightsPct(now, load.maxCallsPerSecond);
  const budgetSettings = state.appBudgetSettings();
  if (budgetSettings.enforce) {
    const budget = state.appBudget.peek(now, budgetSettings).callPct;
    pct = Math.max(pct, ctx.appThrottled ? Math.max(100, budget) : budget);
  }
  return pct;
}
