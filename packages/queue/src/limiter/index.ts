export { APP_BLOCK_WORKER_LIMITER, rateLimitQueues } from './app-block.ts';
export { type AccountKeys, accountKeys, checkBuc, globalKeys, normalizeAccountId } from './keys.ts';
export {
  type AccountState,
  type AcquireRequest,
  type AcquireResult,
  type AppBlockState,
  createLimiter,
  type Denial,
  type DenyReason,
  type Grant,
  type Limiter,
  type LimiterOptions,
  type ReserveResult,
  type ThrottledAccount,
  type ThrottledList,
  type UsageOutcome,
  type UsageReport,
} from './limiter.ts';
export { acquireOrPark, type ParkableJob, parkJob } from './park-job.ts';
export {
  type AccountLimits,
  type AccountOverrides,
  DEFAULT_LIMITER_SETTINGS,
  type EffectiveLimits,
  effectiveLimits,
  intervalMsFor,
  type LimiterSettings,
  type PaceConfig,
  resolveLimiterSettings,
} from './settings.ts';
export { DEFAULT_SLOWDOWN, type SlowdownStep, slowdownFactor } from './slowdown.ts';
export { type RegainHints, throttleBlockMs } from './throttle-block.ts';
