export {
  ClientSupersededError,
  isClientSupersededError,
  SUPERSEDED_REASONS,
  type SupersededReason,
} from './client-superseded-error.ts';
export {
  DbError,
  type DbErrorOptions,
  type DbOperation,
  isDbAuthError,
  isDbError,
  type PostgrestErrorLike,
  toDbError,
} from './db-error.ts';
export { InvalidRowError, isInvalidRowError } from './invalid-row-error.ts';
export { isDbUnavailableError } from './is-db-unavailable-error.ts';
export { isMigrationError, MigrationError } from './migration-error.ts';
