/**
 * @module
 * Turns user options into the complete configuration, and applies PATCH documents to it.
 */
import { z } from 'zod';
import { type AccountConfig, resolveAccountConfig } from '../world/build-world.ts';
import { DEFAULT_ACCOUNTS, DEFAULT_TOKENS, generatedAccounts } from './defaults.ts';
import {
  type AccountPatch,
  accountPatchSchema,
  type ParsedSandboxConfig,
  type ParsedTokenSpec,
  patchableKeys,
  type SandboxConfigInput,
  sandboxConfigSchema,
  tokenSpecSchema,
} from './schema.ts';

/** The runtime configuration (accounts and tokens are kept apart from the rest). */
export type SandboxSettings = Omit<
  ParsedSandboxConfig,
  'accounts' | 'accountDefaults' | 'tokens' | 'latencyMs' | 'startTime'
> & {
  startTime: number;
};

export interface NormalizedConfig {
  settings: SandboxSettings;
  accounts: AccountConfig[];
  tokens: ParsedTokenSpec[];
}

/** A configuration error with a readable, multi-line message. */
export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
}

function formatZodError(error: z.ZodError): string {
  return z.prettifyError(error);
}

function settingsFrom(parsed: ParsedSandboxConfig, startTime: number): SandboxSettings {
  const {
    accounts: _accounts,
    accountDefaults: _defaults,
    tokens: _tokens,
    latencyMs,
    startTime: _start,
    ...rest
  } = parsed;
  const settings: SandboxSettings = { ...rest, startTime };
  if (latencyMs !== undefined) settings.faults = { ...settings.faults, latency: { fixedMs: latencyMs } };
  return settings;
}

/** Validates options and fills every default. Throws SandboxConfigError. */
export function normalizeConfig(
  input: SandboxConfigInput | undefined,
  realNow: number = Date.now(),
): NormalizedConfig {
  const result = sandboxConfigSchema.safeParse(input ?? {});
  if (!result.success)
    throw new SandboxConfigError(`invalid sandbox options:\n${formatZodError(result.error)}`);
  const parsed = result.data;
  const specs =
    parsed.accounts === undefined
      ? [...DEFAULT_ACCOUNTS]
      : typeof parsed.accounts === 'number'
        ? generatedAccounts(parsed.accounts)
        : parsed.accounts;
  const defaults = parsed.accountDefaults;
  const accounts = specs.map((spec, index) =>
    resolveAccountConfig(
      defaults
        ? { ...defaults, ...spec, quotaOverride: { ...defaults.quotaOverride, ...spec.quotaOverride } }
        : spec,
      index,
      parsed.seed,
    ),
  );
  const ids = new Set<string>();
  for (const account of accounts) {
    if (ids.has(account.id))
      throw new SandboxConfigError(`invalid sandbox options: duplicate account id ${account.id}`);
    ids.add(account.id);
  }
  const tokens = parsed.tokens ?? DEFAULT_TOKENS.map((spec) => tokenSpecSchema.parse(spec));
  const values = new Set<string>();
  for (const token of tokens) {
    if (values.has(token.value))
      throw new SandboxConfigError('invalid sandbox options: a token value is configured twice');
    values.add(token.value);
  }
  return { settings: settingsFrom(parsed, parsed.startTime ?? realNow), accounts, tokens };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Values replaced as a whole by a patch (alternative shapes that must not mix). */
const ATOMIC_KEYS = new Set(['latency', 'errorIn200']);

/** Recursive merge: objects merge, everything else (arrays, null, scalars) replaces. */
export function deepMerge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(target) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    out[key] =
      key in target && isPlainObject(value) && !ATOMIC_KEYS.has(key) ? deepMerge(target[key], value) : value;
  }
  return out;
}

export interface PatchResult {
  settings: SandboxSettings;
  accountPatches: Map<string, AccountPatch>;
}

/**
 * Applies a PATCH document (a partial configuration) to the current settings. Only
 * `patchableKeys` may appear; `accounts` is `{ "<id>": { status?, disableReason?, tier?,
 * activeAds?, quotaOverride?, name? } }`; `faults.byAccount.<id> = null` removes an override.
 */
export function applyPatch(
  current: SandboxSettings,
  knownAccounts: ReadonlySet<string>,
  patch: unknown,
): PatchResult {
  if (!isPlainObject(patch)) throw new SandboxConfigError('the PATCH body must be a JSON object');
  for (const key of Object.keys(patch)) {
    if (!(patchableKeys as readonly string[]).includes(key)) {
      throw new SandboxConfigError(
        `'${key}' cannot be changed at run time (patchable: ${patchableKeys.join(', ')}; tokens: /__sandbox/tokens/*)`,
      );
    }
  }
  const { accounts, latencyMs, ...rest } = patch;
  const accountPatches = new Map<string, AccountPatch>();
  if (accounts !== undefined) {
    if (!isPlainObject(accounts))
      throw new SandboxConfigError('accounts must be an object keyed by account id');
    for (const [rawId, value] of Object.entries(accounts)) {
      const id = rawId.replace(/^act_/, '');
      if (!knownAccounts.has(id)) throw new SandboxConfigError(`unknown account ${rawId}`);
      const parsed = accountPatchSchema.safeParse(value);
      if (!parsed.success)
        throw new SandboxConfigError(`accounts.${rawId}:\n${formatZodError(parsed.error)}`);
      accountPatches.set(id, parsed.data);
    }
  }
  const { startTime, ...currentRest } = current;
  const merged = deepMerge(currentRest, rest) as Record<string, unknown>;
  const faults = merged.faults;
  if (isPlainObject(faults) && isPlainObject(faults.byAccount)) {
    faults.byAccount = Object.fromEntries(Object.entries(faults.byAccount).filter(([, v]) => v !== null));
  }
  if (latencyMs !== undefined) merged.latencyMs = latencyMs;
  const result = sandboxConfigSchema.safeParse({ ...merged, startTime });
  if (!result.success)
    throw new SandboxConfigError(`invalid configuration patch:\n${formatZodError(result.error)}`);
  return { settings: settingsFrom(result.data, startTime), accountPatches };
}
