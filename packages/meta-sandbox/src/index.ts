/**
 * @module
 * @meta-engine/meta-sandbox: a local Meta Graph API (Marketing API) emulator for demos, tests
 * and benchmarks. See README.md.
 */
export { ADMIN_PREFIX, type AdminResponse, handleAdmin } from './admin/admin-api.ts';
export { SandboxClock } from './clock.ts';
export {
  DEFAULT_ACCOUNT_IDS,
  DEFAULT_ACCOUNTS,
  DEFAULT_TOKENS,
  generatedAccounts,
  SANDBOX_TOKENS,
} from './config/defaults.ts';
export {
  type NormalizedConfig,
  normalizeConfig,
  SandboxConfigError,
  type SandboxSettings,
} from './config/normalize.ts';
export {
  type AccessTier,
  type AccountPatch,
  type AccountSpec,
  type BucType,
  type ContactProfile,
  type FaultConfig,
  type FaultConfigInput,
  type FaultOverrideInput,
  type LatencySpec,
  type SandboxConfigInput,
  sandboxConfigSchema,
  type TokenSpec,
  type TokenState,
} from './config/schema.ts';
export type { AppCounters, BucCounters } from './counters.ts';
export { type GraphErrorBody, REDUCE_DATA_MESSAGE } from './graph/errors.ts';
export { decodeCursor, encodeCursor } from './graph/paging.ts';
export { MAX_BATCH_SIZE } from './handlers/batch.ts';
export { computeQuota, type QuotaInput } from './limits/quota.ts';
export type { AsyncStatus } from './reports/report-runs.ts';
export {
  type FaultsPatch,
  type Sandbox,
  type SandboxPatch,
  type StartSandboxOptions,
  startSandbox,
} from './server.ts';
export type { BucCounterView, ConfigView, CountersView, RotateTokenInput, SandboxState } from './state.ts';
export { type TokenDescription, tokenFingerprint } from './tokens/token-store.ts';
export { ACTION_TYPES, CONVERSION_TYPES } from './world/action-types.ts';
export type { AccountConfig } from './world/build-world.ts';
export type { RestateInput, RestatementFactors, RestatementView } from './world/restatements.ts';
