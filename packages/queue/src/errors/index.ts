export {
  INVALID_JOB_DATA_ERROR_NAME,
  InvalidJobDataError,
  isInvalidJobDataError,
} from './invalid-job-data-error.ts';
export { isRedisConnectionError } from './is-redis-connection-error.ts';
export { isLimiterError, LIMITER_ERROR_NAME, LimiterError, type LimiterErrorCode } from './limiter-error.ts';
export {
  isRedisUnreachableError,
  REDIS_UNREACHABLE_ERROR_NAME,
  RedisUnreachableError,
} from './redis-unreachable-error.ts';
