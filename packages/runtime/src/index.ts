/**
 * @module @meta-engine/runtime
 * Process plumbing the producer and the worker share: secret-scrubbing pino logs and ordered closers.
 * Knows nothing of Meta, queues or tables.
 */
export { createLogger, type LoggerOptions } from './create-logger.ts';
export { Releasers } from './releasers.ts';
