/**
 * @module ports
 * The parts of the shared packages the worker uses, as types: tests and embedders can pass the real
 * repository and limiter, or anything with these methods.
 */
import type { Repository } from '@meta-engine/db';
import type { Limiter } from '@meta-engine/queue';

/** The repository methods the processors call. */
export type WorkerRepository = Pick<
  Repository,
  | 'getJobContext'
  | 'recordValidation'
  | 'upsertMonthCache'
  | 'upsertWeekCache'
  | 'upsertCampaignInsights'
  | 'upsertDailyKpi'
  | 'guardedWrite'
  | 'getConversionMappings'
  | 'recordSyncSuccess'
  | 'recordSyncFailure'
  | 'saveTokenState'
  | 'listSummaryStates'
  | 'getCampaignSummaries'
  | 'writeCampaignSummary'
  | 'recordSummaryFetch'
  | 'recordDrift'
  | 'sumDailyKpi'
  | 'ping'
>;

/** The limiter methods the worker calls. */
export type MetaLimiter = Pick<Limiter, 'acquire' | 'book' | 'admitApp' | 'recordUsages' | 'settings'>;
