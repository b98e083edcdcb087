/**
 * @module
 * The Graph request pipeline, shared by HTTP requests and batch items:
 * route -> token -> object and permission -> app insights load -> score limiter -> BUC limiter
 * -> injected server error -> endpoint handler -> usage headers.
 */
import type { BucType } from './config/schema.ts';
import {
  appInsightsThrottleError,
  bucThrottleError,
  expiredTokenError,
  type GraphError,
  invalidTokenError,
  missingTokenError,
  revokedTokenError,
  scoreThrottleError,
  serverError,
  unknownPathError,
  unsupportedRequestError,
} from './graph/errors.ts';
import {
  AD_ACCOUNT_USAGE_HEADER,
  APP_USAGE_HEADER,
  adAccountUsage,
  appUsage,
  BUC_USAGE_HEADER,
  businessUseCaseUsage,
  INSIGHTS_THROTTLE_HEADER,
  insightsThrottle,
  precisePct,
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
    body = JSON.stringify({
      error: result.withTrace ? { ...result.error, fbtrace_id: trace } : result.error,
    });
    if (result.category === 'throttle') state.counters.app.throttles++;
    else state.counters.app.errors++;
  } else {
    status = result.status ?? 200;
    body = JSON.stringify(result.body);
  }
  return { status, headers, body, accountId };
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

/** Dispatches one Graph call (HTTP request or batch item). Never throws for bad input. */
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
  const token = auth;
  const faults = state.faultsFor(null);
  const ctx: CallContext = { state, req, token, now, faults };

  switch (route.kind) {
    case 'root':
      return finish(state, unsupportedRequestError(req.method, ''), headers, trace, null);
    case 'unknown_path':
      return finish(state, unknownPathError(route.components), headers, trace, null);
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
      return finish(state, unsupportedRequestError(req.method, objectId), headers, trace, route.accountId);
    }
    case 'object': {
      const entity = state.world.objects.get(route.id);
      if (entity) return entityCall(ctx, entity, route.edge, headers, trace);
      const run = state.reports.get(route.id, now);
      if (run) return reportCall(ctx, run, route.edge, headers, trace);
      return finish(state, unsupportedRequestError(req.method, route.id), headers, trace, null);
    }
  }
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
  if (account) {
    ctx.state.counters.bucket(account.config.id, buc).errors++;
  }
  return finish(ctx.state, unsupportedRequestError(ctx.req.method, objectId), headers, trace, null);
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

/** Calls without an ad account (`/me`, `/me/adaccounts`, `/debug_token`): `X-App-Usage`. */
function appCall(
  ctx: CallContext,
  headers: Array<[string, string]>,
  trace: string,
  handler: () => HandlerResult,
): GraphResponse {
  const { state, now } = ctx;
  const windowMs = state.settings.rateLimits.windowMinutes * 60_000;
  state.appLoad.call(now, windowMs);
  const injected = state.faults.serverError(ctx.faults, null);
  let result: HandlerResult;
  if (injected !== null) {
    state.counters.app.injectedServerErrors++;
    result = serverError(injected);
  } else {
    result = handler();
  }
  headers.push([
    APP_USAGE_HEADER,
    appUsage(state.appLoad.appUsage(now, windowMs, state.settings.rateLimits.appCallQuota)),
  ]);
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
  const windowMs = settings.rateLimits.windowMinutes * 60_000;
  state.appLoad.call(now, windowMs);

  let result: HandlerResult | null = null;
  let usage: BucUsage | null = null;
  let score: ScoreState | null = null;
  let appPct = 0;

  if (insights) {
    const load = state.appLoad.insightsCall(
      now,
      settings.appInsightsLoad.enabled,
      settings.appInsightsLoad.maxCallsPerSecond,
    );
    appPct = load.pct;
    if (load.throttled) result = appInsightsThrottleError(settings.appInsightsLoad.form);
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
  if (result === null) {
    const injected = state.faults.serverError(ctx.faults, accountId);
    if (injected !== null) {
      state.counters.app.injectedServerErrors++;
      result = serverError(injected);
    }
  }
  if (result === null) result = handler(ctx);

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
  headers.push([BUC_USAGE_HEADER, businessUseCaseUsage(accountId, usage, tier)]);
  if (settings.scoreLimiter.enabled) {
    score ??= state.score.peek(accountId, now, state.scoreSettings(tier));
    headers.push([
      AD_ACCOUNT_USAGE_HEADER,
      adAccountUsage(score.utilPct, Math.ceil(score.resetMs / 1000), tier),
    ]);
  } else {
    const otherBuc: BucType = insights ? 'ads_management' : 'ads_insights';
    const other = state.buc.peek(accountId, otherBuc, now, state.quota(account, otherBuc, now), bucSettings);
    const pct = Math.max(precisePct(usage), precisePct(other));
    const resetMs = Math.max(usage.resetMs, other.resetMs);
    headers.push([AD_ACCOUNT_USAGE_HEADER, adAccountUsage(pct, Math.ceil(resetMs / 1000), tier)]);
  }
  if (insights) {
    if (appPct === 0) appPct = state.appLoad.insightsPct(now, settings.appInsightsLoad.maxCallsPerSecond);
    headers.push([INSIGHTS_THROTTLE_HEADER, insightsThrottle(appPct, precisePct(usage), tier)]);
  }
  return finish(state, result, headers, trace, accountId);
}
