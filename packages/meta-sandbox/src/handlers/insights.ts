/**
 * @module
 * Insights endpoints: sync `GET .../insights`, async `POST .../insights` (report runs),
 * `GET /<report_run_id>` and `GET /<report_run_id>/insights`.
 */
import {
  invalidParameterError,
  reduceDataError,
  reportNotReadyError,
  unsupportedRequestError,
} from '../graph/errors.ts';
import {
  buildPage,
  emptyPageSharedCursor,
  emptyPageWithNext,
  type Page,
  type PageRequest,
  pageRequest,
} from '../graph/paging.ts';
import { parseList } from '../graph/params.ts';
import { computeInsights, type InsightsRow, type InsightsScope } from '../insights/compute-insights.ts';
import { type InsightsLevel, type InsightsQuery, parseInsightsQuery } from '../insights/insights-query.ts';
import { type ReportRun, runStatus } from '../reports/report-runs.ts';
import { formatIsoDay } from '../util/dates.ts';
import { type CallContext, type HandlerResult, linkBase, ok } from './types.ts';

function parseQuery(ctx: CallContext, scope: InsightsScope, defaultLevel: InsightsLevel) {
  const { state } = ctx;
  return parseInsightsQuery(ctx.req.params, {
    today: state.today(scope.account, ctx.now),
    defaultLevel,
    defaultLimit: state.settings.insights.defaultLimit,
    maxLimit: state.settings.insights.maxLimit,
  });
}

const PAGING_PARAMS = new Set(['after', 'before', 'limit', 'access_token', 'appsecret_proof', 'method']);

function rowsFor(
  ctx: CallContext,
  scope: InsightsScope,
  scopeId: string,
  query: InsightsQuery,
): InsightsRow[] {
  const { state } = ctx;
  const today = state.today(scope.account, ctx.now);
  const relevant = [...ctx.req.params]
    .filter(([key]) => !PAGING_PARAMS.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = `${scopeId}|${today}|${JSON.stringify(relevant)}`;
  return state.cachedInsights(key, () => computeInsights(state.seed, scope, query, today));
}

/**
 * One page of an insights result (sync or report run), or the shared-cursor empty page when that
 * quirk fires: never on a request that came through such a page's `next` link, never on a page
 * without rows, so paging always progresses.
 */
function insightsPage(
  ctx: CallContext,
  accountId: string,
  rows: readonly InsightsRow[],
  page: PageRequest,
): Page<InsightsRow> {
  const { state, req, faults } = ctx;
  const links = { base: linkBase(ctx), params: req.params, keepToken: req.tokenInQuery };
  if (
    !page.resumed &&
    page.offset < rows.length &&
    state.faults.chance(accountId, 'shared-cursor-page', faults.emptyPageSharedCursorRate)
  ) {
    return emptyPageSharedCursor(rows.length, page, links, state.seed);
  }
  return buildPage(rows, page, links, state.seed);
}

/** Sync insights with the "reduce the amount of data" guard and the empty-page faults. */
export function getInsights(
  ctx: CallContext,
  scope: InsightsScope,
  scopeId: string,
  defaultLevel: InsightsLevel,
): HandlerResult {
  const query = parseQuery(ctx, scope, defaultLevel);
  if ('kind' in query) return query;
  const { state, req, faults } = ctx;
  const page = pageRequest(req.params, query.limit, state.settings.insights.maxLimit, state.seed);
  if (typeof page === 'string') return invalidParameterError(page);
  const rows = rowsFor(ctx, scope, scopeId, query);
  const guard = faults.reduceData;
  const form = guard.form ?? 'plain';
  if (guard.maxRows != null && rows.length > guard.maxRows) return reduceDataError(form);
  const pageRows = Math.max(0, Math.min(page.limit, rows.length - page.offset));
  const columns = query.fields.length + query.breakdowns.length;
  if (guard.maxDataPointsPerPage != null && pageRows * columns > guard.maxDataPointsPerPage) {
    return reduceDataError(form);
  }
  const links = { base: linkBase(ctx), params: req.params, keepToken: req.tokenInQuery };
  if (
    page.offset + page.limit < rows.length &&
    state.faults.chance(scope.account.config.id, 'empty-page', faults.emptyPageRate)
  ) {
    return ok(emptyPageWithNext(page, links, state.seed));
  }
  return ok(insightsPage(ctx, scope.account.config.id, rows, page));
}

/** Async insights: validates now, computes the result once, returns `{"report_run_id": "<id>"}`. */
export function createReportRun(
  ctx: CallContext,
  scope: InsightsScope,
  defaultLevel: InsightsLevel,
): HandlerResult {
  const query = parseQuery(ctx, scope, defaultLevel);
  if ('kind' in query) return query;
  const { state, faults } = ctx;
  const accountId = scope.account.config.id;
  const maxDays = faults.reduceData.asyncCreateMaxDays;
  if (maxDays != null && query.until - query.since + 1 > maxDays) {
    return reduceDataError(faults.reduceData.form ?? 'plain');
  }
  const today = state.today(scope.account, ctx.now);
  const planned = state.faults.reportFate(faults, accountId);
  let fate = planned.fate;
  let failure = faults.asyncFailure;
  let rows: InsightsRow[] | null = null;
  const maxRows = faults.reduceData.asyncMaxRows;
  if (fate === 'complete' && maxRows != null) {
    rows = computeInsights(state.seed, scope, query, today);
    if (rows.length > maxRows) {
      fate = 'fail';
      failure = 'too_large';
      rows = null;
    }
  }
  const jobs = state.settings.asyncJobs;
  const run = state.reports.create({
    accountId,
    scope,
    query,
    today,
    rows,
    now: ctx.now,
    timing: {
      notStartedMs: jobs.notStartedSeconds * 1000,
      startedMs: jobs.startedSeconds * 1000,
      runningMs: jobs.runningSeconds * 1000,
    },
    expiryMs: jobs.expiryDays * 86_400_000,
    fate,
    failure,
    firstPollNotFound: planned.firstPollNotFound,
  });
  return ok({ report_run_id: run.id });
}

const RUN_DEFAULT_FIELDS = [
  'id',
  'account_id',
  'time_ref',
  'time_completed',
  'async_status',
  'async_percent_completion',
  'date_start',
  'date_stop',
];
const RUN_FIELDS = new Set([
  ...RUN_DEFAULT_FIELDS,
  'is_running',
  'emails',
  'friendly_name',
  'is_async_export',
  'is_bookmarked',
  'error_code',
  'error_message',
  'error_subcode',
  'error_user_title',
  'error_user_msg',
]);

/** `GET /<report_run_id>`: status from the sandbox clock; v25+ error fields when failed. */
export function getReportRun(ctx: CallContext, run: ReportRun): HandlerResult {
  if (run.firstPollNotFound && run.polls === 0) {
    run.polls++;
    return unsupportedRequestError(ctx.req.method, run.id);
  }
  run.polls++;
  const status = runStatus(run, ctx.now);
  const all: Record<string, unknown> = {
    id: run.id,
    account_id: run.accountId,
    time_ref: Math.floor(run.createdAt / 1000),
    time_completed: status.finishedAt === null ? 0 : Math.floor(status.finishedAt / 1000),
    async_status: status.status,
    async_percent_completion: status.percent,
    date_start: formatIsoDay(run.query.since),
    date_stop: formatIsoDay(run.query.until),
    is_running: status.finishedAt === null,
    emails: [],
    friendly_name: `Sandbox report ${run.id}`,
    is_async_export: false,
    is_bookmarked: false,
  };
  const failed = status.status === 'Job Failed' && run.failure;
  if (failed && run.failure) Object.assign(all, run.failure);
  let fields = RUN_DEFAULT_FIELDS;
  const raw = ctx.req.params.get('fields');
  if (raw !== undefined) {
    const list = parseList(raw);
    if (list === null) return invalidParameterError('fields must be a list of field names');
    for (const field of list) {
      if (!RUN_FIELDS.has(field))
        return invalidParameterError(
          `Tried accessing nonexisting field (${field}) on node type (AdReportRun)`,
        );
    }
    fields = list.length > 0 ? list : RUN_DEFAULT_FIELDS;
  }
  const body: Record<string, unknown> = { id: run.id };
  for (const field of fields) if (all[field] !== undefined) body[field] = all[field];
  if (failed && run.failure && raw === undefined) Object.assign(body, run.failure);
  return ok(body);
}

/** `GET /<report_run_id>/insights`: the stored result, paged. */
export function getReportRunInsights(ctx: CallContext, run: ReportRun): HandlerResult {
  const status = runStatus(run, ctx.now);
  if (status.status !== 'Job Completed') return reportNotReadyError(status.status);
  const { state, req } = ctx;
  const page = pageRequest(req.params, run.query.limit, state.settings.insights.maxLimit, state.seed);
  if (typeof page === 'string') return invalidParameterError(page);
  run.rows ??= computeInsights(state.seed, run.scope, run.query, run.today);
  return ok(insightsPage(ctx, run.accountId, run.rows, page));
}
