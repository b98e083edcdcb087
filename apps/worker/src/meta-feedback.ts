/**
 * @module meta-feedback
 * Feedback from Meta to the per-account limiter, wired once into meta-client's `onResponse`: every
 * response (success or error, batch items included, the batch envelope skipped) becomes limiter usage
 * reports, and an app-level throttle blocks the whole app and rate-limits every queue.
 *
 * The mapping is a pure function (`usageReportsFor`); `createMetaFeedback` only sends its reports.
 *
 * @example
 * const feedback = createMetaFeedback({ limiter, queues, metrics, logger });
 * const meta = createMetaClient({ accessToken, onResponse: feedback.onResponse });
 */
import type { MetaResponseEvent, UsageSnapshot } from '@meta-engine/meta-client';
import { rateLimitQueues, throttleBlockMs, type UsageReport } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { MetaLimiter } from './ports.ts';
import type { WorkerMetrics } from './runtime/metrics.ts';

/** The two business use cases this system's calls count against. */
export const BUC = { insights: 'ads_insights', management: 'ads_management' } as const;

/** The limiter's cap on a reported utilisation (its schema's maximum). */
const MAX_UTILIZATION_PCT = 100_000;

/**
 * The BUC of a call from its path, when the usage headers do not say: `/insights` reads and report runs
 * (`/<report_run_id>`, the only bare numeric ids this worker reads) are `ads_insights`; the ad account
 * object (`/act_<id>`) is `ads_management`.
 */
export function bucForPath(path: string): string {
  if (/\/insights$/.test(path) || /^\/(?:v\d+\.\d+\/)?\d+$/.test(path)) return BUC.insights;
  return BUC.management;
}

/** Meta-reported wait → real milliseconds (the sandbox runs Meta's clock `timeScale` times faster). */
export function scaleMetaMs(ms: number | undefined, timeScale: number): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.max(1, Math.ceil(ms / timeScale));
}

/** 17/2446079 and 613/1487742: the ad account's score limit, which covers every BUC of the account. */
function isScoreLimit(code: number | undefined, subcode: number | undefined): boolean {
  return (code === 17 && subcode === 2446079) || (code === 613 && subcode === 1487742);
}

function clampPct(value: number): number {
  return Math.min(MAX_UTILIZATION_PCT, Math.max(0, value));
}

function reasonOf(event: MetaResponseEvent): string {
  const error = event.error;
  if (!error) return 'meta usage';
  const codes = [error.code, error.subcode].filter((c) => c !== undefined).join('/');
  return codes ? `meta ${codes}` : `meta ${error.category}`;
}

/** Own-account BUC entries of a snapshot (all entries when none is keyed by the account). */
function ownEntries(usage: UsageSnapshot, adAccountId: string) {
  const own = usage.businessUseCase.filter((entry) => entry.businessId === adAccountId);
  return own.length > 0 ? own : usage.businessUseCase;
}

/**
 * The limiter reports one Meta response should produce (pure). Account reports per BUC from
 * `X-Business-Use-Case-Usage` (utilisation = max of call_count / total_cputime / total_time, plus the
 * insights header's acc_id_util_pct for ads_insights), one account-wide report (`buc: '*'`) from
 * `X-Ad-Account-Usage`, a throttled report for an `account_throttle` error (blocking its BUC, or the whole
 * account for score limits, for Meta's retry time), and an app report for an `app_throttle` error.
 * Wait times are divided by `timeScale`.
 */
export function usageReportsFor(event: MetaResponseEvent, timeScale = 1): UsageReport[] {
  if (event.kind === 'batch') return [];
  const reports: UsageReport[] = [];
  const error = event.error;
  const reason = reasonOf(event);
  const adAccountId = event.adAccountId;
  if (adAccountId) {
    const byBuc = new Map<string, UsageReport>();
    for (const entry of ownEntries(event.usage, adAccountId)) {
      const pct = Math.max(entry.callCount, entry.totalCputime, entry.totalTime);
      const previous = byBuc.get(entry.type);
      const utilizationPct = clampPct(Math.max(pct, previous?.utilizationPct ?? 0));
      byBuc.set(entry.type, { scope: 'account', adAccountId, buc: entry.type, utilizationPct });
    }
    const insights = event.usage.insightsThrottle;
    if (insights) {
      const current = byBuc.get(BUC.insights);
      const utilizationPct = clampPct(Math.max(insights.accIdUtilPct, current?.utilizationPct ?? 0));
      byBuc.set(BUC.insights, { scope: 'account', adAccountId, buc: BUC.insights, utilizationPct });
    }
    if (event.usage.adAccount) {
      byBuc.set('*', {
        scope: 'account',
        adAccountId,
        buc: '*',
        utilizationPct: clampPct(event.usage.adAccount.accIdUtilPct),
      });
    }
    if (error?.category === 'account_throttle') {
      const buc = isScoreLimit(error.code, error.subcode)
        ? '*'
        : (ownEntries(error.usage, adAccountId).find(
            (entry) => entry.estimatedTimeToRegainAccessMinutes > 0 || entry.callCount >= 100,
          )?.type ?? bucForPath(event.path));
      const regainMinutes = Math.max(
        0,
        ...ownEntries(error.usage, adAccountId)
          .filter((entry) => entry.type === buc || buc === '*')
          .map((entry) => entry.estimatedTimeToRegainAccessMinutes),
      );
      const blockMs = throttleBlockMs({
        retryAfterMs: error.retryAfterMs,
        estimatedTimeToRegainAccessMinutes: regainMinutes,
        resetTimeDurationSeconds: isScoreLimit(error.code, error.subcode)
          ? error.usage.adAccount?.resetTimeDurationSeconds
          : undefined,
      });
      const previous = byBuc.get(buc);
      const report: UsageReport = {
        scope: 'account',
        adAccountId,
        buc,
        throttled: true,
        reason,
        ...(previous?.utilizationPct === undefined ? {} : { utilizationPct: previous.utilizationPct }),
      };
      const scaled = scaleMetaMs(blockMs, timeScale);
      if (scaled !== undefined) report.blockForMs = scaled;
      byBuc.set(buc, report);
    }
    reports.push(...byBuc.values());
  }
  if (error?.category === 'app_throttle') {
    const report: UsageReport = { scope: 'app', throttled: true, reason };
    const summaryMs = Math.max(
      0,
      ...event.usage.businessUseCase.map((entry) => entry.estimatedTimeToRegainAccessMinutes * 60_000),
    );
    const scaled = scaleMetaMs(error.retryAfterMs ?? (summaryMs > 0 ? summaryMs : undefined), timeScale);
    if (scaled !== undefined) report.blockForMs = scaled;
    reports.push(report);
  }
  return reports;
}

export interface MetaFeedbackDeps {
  limiter: Pick<MetaLimiter, 'recordUsage'>;
  /** Every queue whose workers call Meta: `queue.rateLimit` on an app-level throttle. */
  queues: () => ReadonlyArray<Pick<Queue, 'rateLimit'>>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** See `scaleMetaMs` (1 against the real Meta). */
  timeScale?: number;
}

export interface MetaFeedback {
  /** Pass to `createMetaClient({ onResponse })`. Never throws (a failing report is logged). */
  onResponse(event: MetaResponseEvent): Promise<void>;
}

export function createMetaFeedback(deps: MetaFeedbackDeps): MetaFeedback {
  const timeScale = deps.timeScale ?? 1;
  return {
    async onResponse(event) {
      if (event.kind === 'batch') return;
      deps.metrics.metaCalls.inc({ category: event.error?.category ?? 'ok' });
      try {
        for (const report of usageReportsFor(event, timeScale)) {
          const outcome = await deps.limiter.recordUsage(report);
          if (!report.throttled) continue;
          deps.metrics.throttles.inc({ scope: report.scope });
          if (report.scope === 'app') {
            await rateLimitQueues(deps.queues(), outcome.blockedForMs);
            deps.logger.warn(
              { blockedForMs: outcome.blockedForMs, reason: report.reason },
              'app-level throttle: every queue is rate-limited',
            );
          } else {
            deps.logger.info(
              {
                adAccountId: report.adAccountId,
                buc: report.buc,
                blockedForMs: outcome.blockedForMs,
                reason: report.reason,
              },
              'ad account throttled by Meta',
            );
          }
        }
      } catch (error) {
        // onResponse must not throw: its error would replace the Meta call's own result.
        deps.logger.warn({ err: error }, 'could not record Meta usage in the limiter');
      }
    },
  };
}
