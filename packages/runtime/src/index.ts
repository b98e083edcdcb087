/**
 * @module @meta-engine/runtime
 * Process plumbing every app and CLI shares: reading the configuration (zod field helpers, one error type,
 * one `.env` loader, one secrets list, exit code 78), secret-scrubbing pino logs, ordered closers, and the
 * token source (a token from the environment or from a file re-read when it changes).
 * Knows nothing of Meta, queues or tables.
 */
export { ConfigError, type ConfigIssue, isConfigError } from './config/config-error.ts';
export { rule } from './config/env-rule.ts';
export { EXIT_CONFIG, exitOnConfigError } from './config/exit-on-config-error.ts';
export { field, LOG_LEVELS, type LogLevel, type SecretFile } from './config/field.ts';
export { type DotEnvResult, loadDotEnv } from './config/load-dot-env.ts';
export { type Env, type EnvRule, normalizeEnv, parseEnv } from './config/parse-env.ts';
export { type IntegerRange, type Parsed, parseInteger } from './config/parse-integer.ts';
export {
  REDIS_FIELDS,
  REDIS_RULE,
  type RedisServers,
  redisServersFrom,
} from './config/redis-servers.ts';
export {
  CREDENTIAL_URL_VARIABLES,
  SECRET_VARIABLES,
  type SecretVariable,
  secretsFromEnv,
} from './config/secrets-from-env.ts';
export { createLogger, type LoggerOptions } from './create-logger.ts';
export { findSecret, SECRET_KEY_PATTERN, type SecretFinding } from './find-secret.ts';
export { Releasers } from './releasers.ts';
export { addSecret } from './token-source/add-secret.ts';
export {
  createTokenSource,
  DEFAULT_TOKEN_DEBOUNCE_MS,
  DEFAULT_TOKEN_POLL_INTERVAL_MS,
  type SignalSource,
  type TokenSource,
  type TokenSourceLogger,
  type TokenSourceOptions,
} from './token-source/token-source.ts';
