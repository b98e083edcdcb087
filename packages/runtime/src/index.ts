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
export { field, type LogLevel } from './config/field.ts';
export { loadDotEnv } from './config/load-dot-env.ts';
export { type Env, type EnvRule, parseEnv } from './config/parse-env.ts';
export { parseInteger } from './config/parse-integer.ts';
export { REDIS_FIELDS, REDIS_RULE, type RedisServers, redisServersFrom } from './config/redis-servers.ts';
export { SECRET_VARIABLES, secretsFromEnv } from './config/secrets-from-env.ts';
export { SUPABASE_FIELDS, TOKEN_FIELDS } from './config/shared-fields.ts';
export { createLogger, type LoggerOptions } from './create-logger.ts';
export { findSecret } from './find-secret.ts';
export { Releasers } from './releasers.ts';
export { createTokenSource, type TokenSource, type TokenSourceOptions } from './token-source/token-source.ts';
