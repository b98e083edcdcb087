export { APP_BLOCK_WORKER_LIMITER, rateLimitQueues } from './app-block.ts';
export { type AccountKeys, accountKeys, checkBuc, globalKeys, normalizeAccountId } from './keys.ts';
export {
  type AccountState,
  type AcquireRequest,
  type AcquireResult,
  type AppAdmission,
  type AppBlockState,
  type AppState,
  type BookRequest,
  type BookResult,
  createLimiter,
  type Denial,
  type DenyReason,
  type Grant,
  type Limiter,
  type LimiterOptions,
  type ThrottledAccount,
  type ThrottledList,
  type UsageOutcome,
  type UsageReport,
} from './limiter.ts';
export { acquireOrPark, type ParkableJob, parkJob } from './park-job.ts';
export {
  type AccountLimits,
  type AccountOverrides,
  accountIntervalMsFor,
  DEFAULT_LIMITER_SETTINGS,
  type EffectiveLimits,
  effectiveLimits,
  type LimiterSettings,
  type PaceConfig,
  quotaPerWindow,
  resolveLimiterSettings,
} from './settings.ts';
export { DEFAULT_SLOWDOWN, type SlowdownStep, slowdownFactor } from './slowdown.ts';
