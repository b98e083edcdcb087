/**
 * @module @meta-engine/db
 * SQL migrations for the app's Supabase project plus this system's tables, and the repository (the only
 * code that knows table names). Knows tables, nothing of Meta's HTTP API or of queues.
 */
export {
  ClientSupersededError,
  DbError,
  type DbOperation,
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
export { loadMigrations, MIGRATIONS_DIR, type Migration } from './load-migrations.ts';
export { MIGRATIONS_TABLE, type MigrateOptions, type MigrateResult, migrate } from './migrate.ts';
export type { BulkResult, CampaignInsightRow } from './repo/campaign-insights.ts';
export {
  type CampaignSummaryColumns,
  type DailyKpiSums,
  type DriftRow,
  type StoredCampaignSummary,
  SUMMARY_DECIMAL_COLUMNS,
  SUMMARY_INTEGER_COLUMNS,
  type SummaryChange,
  type SummaryChangeInput,
  type SummaryNumberColumn,
  type SummaryPeriodState,
  type SummaryType,
  type WriteSummaryInput,
  type WriteSummaryResult,
} from './repo/campaign-summaries.ts';
export type { ClientControl } from './repo/client-controls.ts';
export type { ClientOverview } from './repo/client-overview.ts';
export {
  API_STATUSES,
  type ApiStatus,
  type Client,
  type ClientPage,
  type ClientRecord,
  type ClientsByIds,
  type InvalidClient,
  isInvalidClient,
  type ListClientsOptions,
  MAX_PAGE_SIZE,
} from './repo/clients.ts';
export type { DailyKpiRow } from './repo/daily-kpi.ts';
export {
  GUARDED_WRITE_RPC,
  type GuardedWriteResult,
  type GuardedWrites,
  type WriteGuard,
} from './repo/guarded-write.ts';
export {
  type CacheEntry,
  type CacheKind,
  type CacheWrite,
  MONTH_PERIOD_ID,
  WEEK_PERIOD_ID,
} from './repo/period-cache.ts';
export { type SupersededNote, type SyncError, type SyncState, TASK_NAME } from './repo/sync-state.ts';
export {
  type DebugTokenInfo,
  TOKEN_STATUSES,
  type TokenState,
  type TokenStatus,
} from './repo/token-state.ts';
export type { ValidationRecord, ValidationResult } from './repo/validations.ts';
export { createRepository, type Repository, type RepositoryOptions } from './repository.ts';
export {
  type MappingInput,
  type MappingResult,
  mapValidationOutcome,
  VALIDATION_OUTCOMES,
  type ValidationOutcome,
} from './validation-mapping.ts';
