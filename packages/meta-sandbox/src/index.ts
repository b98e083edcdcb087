/**
 * @module
 * @meta-engine/meta-sandbox: a local Meta Graph API (Marketing API) emulator for demos, tests
 * and benchmarks. See README.md.
 */
export type { AdminResponse } from './admin/admin-api.ts';

export { DEFAULT_ACCOUNT_IDS, SANDBOX_TOKENS } from './config/defaults.ts';
export { type NormalizedConfig, SandboxConfigError, type SandboxSettings } from './config/normalize.ts';
export type {
  AccessTier,
  AccountPatch,
  AccountSpec,
  BucType,
  ContactProfile,
  FaultConfig,
  FaultConfigInput,
  FaultOverrideInput,
  LatencySpec,
  SandboxConfigInput,
  TokenSpec,
  TokenState,
} from './config/schema.ts';
export type { AppCounters, BucCounters } from './counters.ts';
export type { GraphErrorBody } from './graph/errors.ts';

export type { QuotaInput } from './limits/quota.ts';
export type { AsyncStatus } from './reports/report-runs.ts';
export {
  type FaultsPatch,
  type Sandbox,
  type SandboxPatch,
  type StartSandboxOptions,
  startSandbox,
} from './server.ts';
export type { BucCounterView, ConfigView, CountersView, RotateTokenInput, SandboxState } from './state.ts';
export type { TokenDescription } from './tokens/token-store.ts';

export type { AccountConfig } from './world/build-world.ts';
export type { RestateInput, RestatementFactors, RestatementView } from './world/restatements.ts';
