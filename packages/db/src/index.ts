/**
 * @module @meta-engine/db
 * SQL migrations for the app's Supabase project plus this system's tables, and the repository (the only
 * code that knows table names). Knows tables, nothing of Meta's HTTP API or of queues.
 */
export {
  ClientSupersededError,
  DbError,
  InvalidRowError,
  isClientSupersededError,
  isDbAuthError,
  isDbError,
  isDbUnavailableError,
  isInvalidRowError,
  isMigrationError,
  MigrationError,
  SUPERSEDED_REASONS,
  type SupersededReason,
} from './errors/index.ts';
export { loadMigrations, type Migration } from './load-migrations.ts';
export { MIGRATIONS_TABLE, type MigrateOptions, type MigrateResult, migrate } from './migrate.ts';
export type { CampaignInsightRow } from './repo/campaign-insights.ts';
export {
  type CampaignSummaryColumns,
  type DailyKpiSums,
  type SummaryPeriodState,
  sumDailyKpiRows,
} from './repo/campaign-summaries.ts';
export type { ClientControl } from './repo/client-controls.ts';
export type { ClientOverview } from './repo/client-overview.ts';
export {
  API_STATUSES,
  type ApiStatus,
  type Client,
  type InvalidClient,
  isInvalidClient,
} from './repo/clients.ts';
export type { DailyKpiRow } from './repo/daily-kpi.ts';
export type { GuardedWrites, WriteGuard } from './repo/guarded-write.ts';
export type { JobContext, JobContextOptions } from './repo/job-context.ts';

export type { DebugTokenInfo, TokenStatus } from './repo/token-state.ts';
export type { ValidationRecord, ValidationResult } from './repo/validations.ts';
export { createRepository, type Repository, type RepositoryOptions } from './repository.ts';
export type { ValidationOutcome } from './validation-mapping.ts';
