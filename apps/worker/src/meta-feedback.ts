/**
 * @module meta-feedback
 * Feedback from Meta to the limiter, wired once into meta-client's `onResponse`: every response (success or
 * error) becomes limiter usage reports:
 *
 * - per BUC of the account (X-Business-Use-Case-Usage; X-FB-Ads-Insights-Throttle's acc_id_util_pct for
 *   ads_insights): the utilisation, with the answered call's log entry, so the limiter learns the quota;
 * - for the whole account ('*', X-Ad-Account-Usage): the utilisation (slows the account-wide pace) and, at
 *   100 %, a block until `reset_time_duration`;
 * - a throttled answer: a block of the BUC (or the whole account for score limits) for Meta's time, from
 *   meta-client's one throttle-timing rule (the error's `retryAfterMs`);
 * - for the app (X-App-Usage, app_id_util_pct, app-level throttles): the app's usage and blocks; every
 *   queue is rate-limited while the app is blocked.
 *
 * The mapping is a pure function (`usageReportsFor`); `createMetaFeedback` sends its reports and logs state
 * changes (a block that starts, the app paced or blocked), not every response.
 *
 * @example
 * const feedback = createMetaFeedback({ limiter, queues, metrics, logger, app });
 * const meta = createMetaClient({ accessToken, onResponse: feedback.onResponse, beforeRequest });
 */
import type { MetaResponseEvent, UsageSnapshot } from '@meta-engine/meta-client';
import { rateLimitQueues, type UsageOutcome, type UsageReport } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { BUC, bucForPath } from './buc.ts';
import { type AppTracking, type BookedCall, jobCalls } from './call-booking.ts';
import type { MetaLimiter } from './ports.ts';
import type { WorkerMetrics } from './runtime/metrics.ts';

/** The limiter's cap on a reported utilisation (its schema's maximum). */
const MAX_UTILIZATION_PCT = 100_000;

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

/** The app's usage in one answer: the highest of X-App-Usage's three and the insights header's app share. */
export function appUtilizationPct(usage: UsageSnapshot): number | undefined {
  const values = [
    usage.app?.callCount,
    usage.app?.totalTime,
    usage.app?.totalCputime,
    usage.insightsThrottle?.appIdUtilPct,
  ].filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return values.length > 0 ? clampPct(Math.max(...values)) : undefined;
}

/**
 * The limiter reports one Meta response should produce (pure). `booked` is the answered call's booking
 * (its log entry), attached to the report of its BUC; `trackApp` adds an app report for every answer (so
 * the limiter counts answers against calls in flight) once the app's usage is tracked. Wait times are
 * divided by `timeScale`.
 */
export function usageReportsFor(
  event: MetaResponseEvent,
  options: { timeScale?: number; booked?: BookedCall | undefined; trackApp?: boolean } = {},
): UsageReport[] {
  const timeScale = options.timeScale ?? 1;
  const reports: UsageReport[] = [];
  const error = event.error;
  const reason = reasonOf(event);
  const adAccountId = event.adAccountId;
  if (adAccountId) {
    const byBuc = new Map<string, UsageReport>();
    const report = (buc: string) => {
      let entry = byBuc.get(buc);
      if (!entry) {
        entry = { scope: 'account', adAccountId, buc };
        byBuc.set(buc, entry);
      }
      return entry;
    };
    const raise = (buc: string, pct: number) => {
      const entry = report(buc);
      entry.utilizationPct = clampPct(Math.max(pct, entry.utilizationPct ?? 0));
    };
    for (const entry of ownEntries(event.usage, adAccountId)) {
      // A quota can run out on calls, CPU time or total time: the highest share is the one that binds.
      raise(entry.type, Math.max(entry.callCount, entry.totalCputime, entry.totalTime));
    }
    const insights = event.usage.insightsThrottle;
    if (insights) raise(BUC.insights, insights.accIdUtilPct);
    const booked = options.booked;
    if (booked) {
      // The answered call: its BUC's report carries its log entry (an answer without headers still ends
      // the limiter's one-call-at-a-time probe).
      Object.assign(report(booked.buc), { member: booked.member, slotAt: booked.slotAt });
    }
    const accountUsage = event.usage.adAccount;
    if (accountUsage) {
      const whole = report('*');
      whole.utilizationPct = clampPct(accountUsage.accIdUtilPct);
      if (accountUsage.accIdUtilPct >= 100) {
        // Never call into a full account: wait for Meta's reset.
        const resetMs = scaleMetaMs(accountUsage.resetTimeDurationSeconds * 1000, timeScale);
        if (resetMs !== undefined) {
          whole.blockForMs = resetMs;
          whole.reason = 'account usage 100%';
        }
      }
    }
    if (error?.category === 'account_throttle') {
      const buc = isScoreLimit(error.code, error.subcode)
        ? '*'
        : (ownEntries(error.usage, adAccountId).find(
            (entry) => entry.estimatedTimeToRegainAccessMinutes > 0 || entry.callCount >= 100,
          )?.type ??
          booked?.buc ??
          bucForPath(event.path));
      const throttled = report(buc);
      throttled.throttled = true;
      throttled.reason = reason;
      const blockMs = scaleMetaMs(error.retryAfterMs, timeScale);
      if (blockMs !== undefined) throttled.blockForMs = Math.max(blockMs, throttled.blockForMs ?? 0);
    }
    reports.push(...byBuc.values());
  }
  const appPct = appUtilizationPct(event.usage);
  if (error?.category === 'app_throttle') {
    const app: UsageReport = { scope: 'app', throttled: true, reason };
    if (appPct !== undefined) app.utilizationPct = appPct;
    const blockMs = scaleMetaMs(error.retryAfterMs, timeScale);
    if (blockMs !== undefined) app.blockForMs = blockMs;
    reports.push(app);
  } else if (appPct !== undefined) {
    reports.push({ scope: 'app', utilizationPct: appPct });
  } else if (options.trackApp) {
    reports.push({ scope: 'app' });
  }
  return reports;
}

export interface MetaFeedbackDeps {
  limiter: Pick<MetaLimiter, 'recordUsages'>;
  /** Every queue whose workers call Meta: `queue.rateLimit` while the app is blocked. */
  queues: () => ReadonlyArray<Pick<Queue, 'rateLimit'>>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Shared with the call booking: set once Meta reports the app's usage. */
  app: AppTracking;
  /** See `scaleMetaMs` (1 against the real Meta). */
  timeScale?: number;
}

export interface MetaFeedback {
  /**
   * Pass to `createMetaClient({ onResponse })`. Never throws (a failing report is logged). Resolves once
   * the reports are sent, not answered: the job's next limiter command (its release, its next call's
   * booking) goes on the same connection after them, so Redis applies the reports first, and both share
   * one write (issue 17). What the answers say (blocks to log, the app's block) is handled when they come.
   */
  onResponse(event: MetaResponseEvent): Promise<void>;
  /** Resolves when every report sent so far has been answered and handled (tests, shutdown). */
  settled(): Promise<void>;
}

/** Remembered account blocks (to log a block once when it starts, not on every throttled answer). */
const MAX_REMEMBERED_BLOCKS = 10_000;

export function createMetaFeedback(deps: MetaFeedbackDeps): MetaFeedback {
  const timeScale = deps.timeScale ?? 1;
  const knownBlocks = new Map<string, number>();
  let appBlockedUntil = 0;
  const inFlight = new Set<Promise<void>>();

  async function handle(reports: UsageReport[], outcomes: Promise<UsageOutcome[]>): Promise<void> {
    try {
      const answers = await outcomes;
      for (const [index, report] of reports.entries()) {
        const outcome = answers[index]!;
        if (report.throttled) deps.metrics.throttles.inc({ scope: report.scope });
        if (outcome.blockedUntil === null) continue;
        if (report.scope === 'app') {
          if (outcome.blockedUntil > appBlockedUntil + 1_000) {
            await rateLimitQueues(deps.queues(), outcome.blockedForMs);
            if (appBlockedUntil < Date.now()) {
              deps.logger.warn(
                {
                  blockedForMs: outcome.blockedForMs,
                  reason: report.reason,
                  usagePct: report.utilizationPct,
                },
                'the Meta app is blocked: every queue waits',
              );
            }
            appBlockedUntil = outcome.blockedUntil;
          }
        } else {
          const key = `${report.adAccountId}|${report.buc}`;
          const known = knownBlocks.get(key) ?? 0;
          if (known < Date.now()) {
            deps.logger.info(
              {
                adAccountId: report.adAccountId,
                buc: report.buc,
                blockedForMs: outcome.blockedForMs,
                reason: report.reason,
              },
              'ad account blocked',
            );
          }
          if (outcome.blockedUntil > known) {
            if (knownBlocks.size >= MAX_REMEMBERED_BLOCKS) knownBlocks.clear();
            knownBlocks.set(key, outcome.blockedUntil);
          }
        }
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not record Meta usage in the limiter');
    }
  }

  return {
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async onResponse(event) {
      deps.metrics.metaCalls.inc({ category: event.error?.category ?? 'ok' });
      const state = jobCalls.getStore();
      const booked = state?.pending;
      if (state) {
        state.pending = undefined;
        if (!event.error) state.succeeded++;
      }
      try {
        const trackApp = deps.app.active;
        const reports = usageReportsFor(event, { timeScale, booked, trackApp }).filter(
          (report) =>
            report.scope !== 'app' || trackApp || report.throttled || report.utilizationPct !== undefined,
        );
        if (reports.some((report) => report.scope === 'app' && report.utilizationPct !== undefined))
          deps.app.active = true;
        // Sent now on the limiter's auto-pipelined connection, the account's reports in one script call and
        // the app's in another: they share one write with the job's next limiter command, which Redis runs
        // after them.
        const outcomes = deps.limiter.recordUsages(reports);
        const handled = handle(reports, outcomes);
        inFlight.add(handled);
        void handled.finally(() => inFlight.delete(handled));
      } catch (error) {
        // onResponse must not throw: its error would replace the Meta call's own result.
        deps.logger.warn({ err: error }, 'could not record Meta usage in the limiter');
      }
    },
  };
}
