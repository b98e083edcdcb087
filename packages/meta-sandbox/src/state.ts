/**
 * @module
 * The live state of one sandbox: configuration, clock, synthetic world, tokens, limiters,
 * report runs, fault streams and counters. Request handlers read and update it; the admin API
 * and the `Sandbox` object expose it.
 */

import { z } from 'zod';
import { SandboxClock } from './clock.ts';
import {
  applyPatch,
  type NormalizedConfig,
  SandboxConfigError,
  type SandboxSettings,
} from './config/normalize.ts';
import type { AccessTier, BucType, ParsedTokenSpec, TokenState } from './config/schema.ts';
import { faultsSchema, tokenSpecSchema } from './config/schema.ts';
import { type AppCounters, type BucCounters, Counters } from './counters.ts';
import { type EffectiveFaults, effectiveFaults, FaultEngine } from './faults/fault-engine.ts';
import type { InsightsRow } from './insights/compute-insights.ts';
import { AppBudget, type AppBudgetSettings } from './limits/app-budget.ts';
import { AppLoad } from './limits/app-load.ts';
import { BucLimiter, type BucLimitSettings, type BucUsage } from './limits/buc-limiter.ts';
import { computeQuota } from './limits/quota.ts';
import { ScoreLimiter, type ScoreSettings } from './limits/score-limiter.ts';
import { ReportRunStore } from './reports/report-runs.ts';
import { type TokenDescription, type TokenRecord, TokenStore } from './tokens/token-store.ts';
import { dayInZone, formatIsoDay } from './util/dates.ts';
import { hashString, mixKeys, mulberry32 } from './util/hash.ts';
import { type AccountConfig, type AccountModel, buildWorld, type World } from './world/build-world.ts';
import {
  makeRestatement,
  type RestatementView,
  restateInputSchema,
  viewRestatement,
} from './world/restatements.ts';

/** Rows kept in the insights result cache across all cached queries. */
const INSIGHTS_CACHE_ROWS = 200_000;

const TRACE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Usage of one (account, BUC) as the admin API reports it. */
export interface BucCounterView extends BucCounters {
  callCount: number;
  quota: number;
  estimatedTimeToRegainAccess: number;
}

export interface CountersView {
  now: string;
  accounts: Record<string, Record<BucType, BucCounterView>>;
  app: AppCounters;
}

/** The configuration as the admin API shows it (token values never appear). */
export interface ConfigView extends Omit<SandboxSettings, 'startTime'> {
  startTime: string;
  accounts: Array<AccountConfig & { generatedActiveAds: number; campaignIds: string[] }>;
  tokens: TokenDescription[];
}

export interface RotateTokenInput {
  /** The new token value; generated when omitted. */
  value?: string;
  /** Accounts the new token may read (default: those of `replaces`, else 'all'). */
  accountIds?: 'all' | string[];
  /** A token to revoke once the new one exists. */
  replaces?: string;
  label?: string;
}

export class SandboxState {
  settings: SandboxSettings;
  readonly seed: string;
  readonly clock: SandboxClock;
  readonly world: World;
  tokens: TokenStore;
  readonly buc = new BucLimiter();
  readonly score = new ScoreLimiter();
  readonly appLoad = new AppLoad();
  readonly appBudget = new AppBudget();
  readonly reports: ReportRunStore;
  readonly counters = new Counters();
  readonly faults: FaultEngine;
  /** The server's own origin, set once it listens. */
  baseUrl = '';
  private traceCounter = 0;
  private readonly traceKey: number;
  private readonly initialTokens: ParsedTokenSpec[];
  private readonly initialAccounts: AccountConfig[];
  private readonly insightsCache = new Map<string, InsightsRow[]>();
  private insightsCacheRows = 0;
  private readonly amountSpentCache = new Map<string, number>();
  private restatementCounter = 0;

  constructor(config: NormalizedConfig) {
    this.settings = config.settings;
    this.seed = config.settings.seed;
    this.clock = new SandboxClock(config.settings.startTime, config.settings.timeScale);
    this.world = buildWorld(this.seed, config.accounts);
    this.initialAccounts = config.accounts.map((account) => ({ ...account }));
    this.initialTokens = config.tokens;
    this.tokens = this.makeTokenStore();
    this.reports = new ReportRunStore(this.seed);
    this.faults = new FaultEngine(this.seed);
    this.traceKey = hashString(`trace|${this.seed}`);
  }

  private makeTokenStore(): TokenStore {
    const store = new TokenStore({
      seed: this.seed,
      systemUserId: this.settings.systemUser.id,
      startMs: this.settings.startTime,
    });
    for (const spec of this.initialTokens) store.add(spec);
    return store;
  }

  now(): number {
    return this.clock.now();
  }

  /** The account's calendar day (epoch day) in its time zone. */
  today(account: AccountModel, now = this.now()): number {
    return dayInZone(now, account.config.timezone);
  }

  bucSettings(): BucLimitSettings {
    const limits = this.settings.rateLimits;
    return {
      windowMs: limits.windowMinutes * 60_000,
      blockMs: limits.blockMinutes === 'window' ? 'window' : limits.blockMinutes * 60_000,
      enforce: limits.enabled,
    };
  }

  appBudgetSettings(): AppBudgetSettings {
    const budget = this.settings.appBudget;
    return {
      windowMs: (budget.windowMinutes ?? this.settings.rateLimits.windowMinutes) * 60_000,
      callsPerWindow: budget.callsPerWindow,
      enforce: budget.enabled,
    };
  }

  activeAds(account: AccountModel): number {
    return account.config.activeAds ?? account.generatedActiveAds;
  }

  quota(account: AccountModel, buc: BucType, now: number): number {
    const userErrors =
      buc === 'ads_insights' ? this.buc.userErrors(account.config.id, buc, now, this.bucSettings()) : 0;
    return computeQuota({
      buc,
      tier: account.config.tier,
      activeAds: this.activeAds(account),
      userErrors,
      override: account.config.quotaOverride?.[buc],
    });
  }

  scoreSettings(tier: AccessTier): ScoreSettings {
    const tierSettings = this.settings.scoreLimiter[tier];
    return {
      maxScore: tierSettings.maxScore,
      decayMs: tierSettings.decaySeconds * 1000,
      blockMs: tierSettings.blockSeconds * 1000,
    };
  }

  faultsFor(accountId: string | null): EffectiveFaults {
    return effectiveFaults(this.settings.faults, accountId);
  }

  /** A deterministic fbtrace_id-like string (23 characters). */
  nextTraceId(): string {
    this.traceCounter++;
    const random = mulberry32(mixKeys(this.traceKey, this.traceCounter));
    let out = 'A';
    for (let i = 1; i < 23; i++) out += TRACE_ALPHABET[Math.floor(random() * 64)];
    return out;
  }

  /** Origin of paging links. */
  linkOrigin(): string {
    return this.settings.publicUrl ?? this.baseUrl;
  }

  /** Cached insights results (paging re-reads the same query); bounded by total rows. */
  cachedInsights(key: string, compute: () => InsightsRow[]): InsightsRow[] {
    const hit = this.insightsCache.get(key);
    if (hit) {
      this.insightsCache.delete(key);
      this.insightsCache.set(key, hit);
      return hit;
    }
    const rows = compute();
    if (rows.length > INSIGHTS_CACHE_ROWS) return rows;
    this.insightsCache.set(key, rows);
    this.insightsCacheRows += rows.length;
    while (this.insightsCacheRows > INSIGHTS_CACHE_ROWS || this.insightsCache.size > 256) {
      const [oldestKey, oldestRows] = this.insightsCache.entries().next().value as [string, InsightsRow[]];
      this.insightsCache.delete(oldestKey);
      this.insightsCacheRows -= oldestRows.length;
    }
    return rows;
  }

  /** Lifetime spend of an account up to `today`, in minor units (cached per day). */
  amountSpent(account: AccountModel, today: number, compute: () => number): number {
    const key = `${account.config.id}:${today}`;
    let value = this.amountSpentCache.get(key);
    if (value === undefined) {
      value = compute();
      if (this.amountSpentCache.size > 1000) this.amountSpentCache.clear();
      this.amountSpentCache.set(key, value);
    }
    return value;
  }

  /** Forgets cached results (after a restatement changed the data they came from). */
  private dropDataCaches(): void {
    this.insightsCache.clear();
    this.insightsCacheRows = 0;
    this.amountSpentCache.clear();
  }

  // ---- admin operations ---------------------------------------------------------------

  /**
   * Restates past days of an account (see `world/restatements.ts`). Throws SandboxConfigError
   * naming the problem for invalid input, an unknown account or campaign, or a future day.
   */
  restate(input: unknown): RestatementView {
    const parsed = restateInputSchema.safeParse(input);
    if (!parsed.success)
      throw new SandboxConfigError(`invalid restatement:\n${z.prettifyError(parsed.error)}`);
    const spec = parsed.data;
    const account = this.world.accounts.get(spec.accountId);
    if (!account) throw new SandboxConfigError(`invalid restatement: unknown account ${spec.accountId}`);
    const restatement = makeRestatement(spec, this.restatementCounter + 1, this.now());
    if (restatement.since > restatement.until) {
      throw new SandboxConfigError(
        `invalid restatement: since (${spec.since}) is after until (${formatIsoDay(restatement.until)})`,
      );
    }
    const today = this.today(account);
    if (restatement.until > today) {
      throw new SandboxConfigError(
        `invalid restatement: it changes past days, but until (${formatIsoDay(restatement.until)}) is after the account's today (${formatIsoDay(today)})`,
      );
    }
    const campaigns = new Set(account.campaigns.map((c) => c.id));
    const foreign = (spec.campaignIds ?? []).filter((id) => !campaigns.has(id));
    if (foreign.length > 0) {
      throw new SandboxConfigError(
        `invalid restatement: campaign(s) ${foreign.join(', ')} do not belong to account ${account.config.id}`,
      );
    }
    this.restatementCounter++;
    account.restatements.push(restatement);
    account.restatedMemo.clear();
    this.dropDataCaches();
    return viewRestatement(account.config.id, restatement);
  }

  /** Every restatement, oldest first. */
  restatements(): RestatementView[] {
    const views: RestatementView[] = [];
    for (const id of this.world.accountOrder) {
      const account = this.world.accounts.get(id) as AccountModel;
      for (const restatement of account.restatements) views.push(viewRestatement(id, restatement));
    }
    return views.sort((a, b) => a.id - b.id);
  }

  /** Applies a configuration patch (see README). Throws SandboxConfigError on invalid input. */
  patchConfig(patch: unknown): ConfigView {
    const { settings, accountPatches } = applyPatch(this.settings, new Set(this.world.accountOrder), patch);
    if (settings.timeScale !== this.settings.timeScale) this.clock.setTimeScale(settings.timeScale);
    this.settings = settings;
    for (const [id, accountPatch] of accountPatches) {
      const account = this.world.accounts.get(id);
      if (!account) continue;
      const config = account.config;
      if (accountPatch.name !== undefined) config.name = accountPatch.name;
      if (accountPatch.status !== undefined) config.status = accountPatch.status;
      if (accountPatch.disableReason !== undefined) config.disableReason = accountPatch.disableReason;
      if (accountPatch.tier !== undefined) config.tier = accountPatch.tier;
      if (accountPatch.activeAds !== undefined) config.activeAds = accountPatch.activeAds ?? undefined;
      if (accountPatch.quotaOverride !== undefined) {
        config.quotaOverride =
          accountPatch.quotaOverride === null
            ? undefined
            : { ...config.quotaOverride, ...accountPatch.quotaOverride };
      }
    }
    return this.configView();
  }

  configView(): ConfigView {
    const { startTime, ...rest } = this.settings;
    return {
      ...rest,
      startTime: new Date(startTime).toISOString(),
      accounts: this.world.accountOrder.map((id) => {
        const account = this.world.accounts.get(id) as AccountModel;
        return {
          ...account.config,
          generatedActiveAds: account.generatedActiveAds,
          campaignIds: account.campaigns.map((c) => c.id),
        };
      }),
      tokens: this.tokens.list(),
    };
  }

  /** Turns every fault off (PATCH merges; this replaces), keeping the rest of the configuration. */
  clearFaults(): ConfigView {
    this.settings = { ...this.settings, faults: faultsSchema.parse({}) };
    return this.configView();
  }

  countersView(): CountersView {
    const now = this.now();
    const snapshot = this.counters.snapshot();
    const accounts: CountersView['accounts'] = {};
    const settings = this.bucSettings();
    for (const id of this.world.accountOrder) {
      const account = this.world.accounts.get(id) as AccountModel;
      const view = (buc: BucType): BucCounterView => {
        const quota = this.quota(account, buc, now);
        const usage: BucUsage = this.buc.peek(id, buc, now, quota, settings);
        const counts = snapshot.accounts[id]?.[buc] ?? { calls: 0, throttles: 0, errors: 0 };
        return {
          ...counts,
          callCount: usage.callCount,
          quota,
          estimatedTimeToRegainAccess: usage.regainMinutes,
        };
      };
      accounts[id] = { ads_insights: view('ads_insights'), ads_management: view('ads_management') };
    }
    return { now: new Date(now).toISOString(), accounts, app: snapshot.app };
  }

  /**
   * Clears counters, rate-limit windows and blocks, report runs, fault streams and caches.
   * With `tokens`, tokens return to their configured state; with `accounts`, account
   * fields changed at run time return to their configured values; with `restatements`,
   * restated days get their original numbers back.
   */
  reset(options: { tokens?: boolean; accounts?: boolean; restatements?: boolean } = {}): void {
    this.counters.reset();
    this.buc.reset();
    this.score.reset();
    this.appLoad.reset();
    this.appBudget.reset();
    this.reports.reset();
    this.faults.reset();
    this.insightsCache.clear();
    this.insightsCacheRows = 0;
    this.traceCounter = 0;
    if (options.tokens) {
      this.tokens = this.makeTokenStore();
    }
    if (options.restatements) {
      for (const account of this.world.accounts.values()) {
        account.restatements = [];
        account.restatedMemo.clear();
      }
      this.amountSpentCache.clear();
    }
    if (options.accounts) {
      for (const initial of this.initialAccounts) {
        const account = this.world.accounts.get(initial.id);
        if (account) Object.assign(account.config, initial, { quotaOverride: initial.quotaOverride });
      }
    }
  }

  revokeToken(value: string, subcode?: 460 | 467): TokenDescription | undefined {
    const record = this.tokens.revoke(value, subcode);
    return record && this.tokens.describe(record);
  }

  expireToken(value: string): TokenDescription | undefined {
    const record = this.tokens.expire(value, this.now());
    return record && this.tokens.describe(record);
  }

  /** Adds a new valid token (optionally revoking the one it replaces); returns its value. */
  rotateToken(input: RotateTokenInput = {}): {
    value: string;
    token: TokenDescription;
    revoked?: TokenDescription;
  } {
    const replaced: TokenRecord | undefined =
      input.replaces === undefined ? undefined : this.tokens.get(input.replaces);
    if (input.replaces !== undefined && !replaced) throw new Error('the token to replace is not configured');
    const accountIds =
      input.accountIds ??
      (replaced ? (replaced.accountIds === 'all' ? 'all' : [...replaced.accountIds]) : ('all' as const));
    const spec = tokenSpecSchema.parse({
      value: input.value ?? this.tokens.generateValue(),
      state: 'valid',
      accountIds,
      issuedAt: this.now(),
      label: input.label ?? (replaced ? `${replaced.label}-rotated` : undefined),
    });
    if (this.tokens.get(spec.value)) throw new Error('that token value is already configured');
    const record = this.tokens.add(spec);
    const result: { value: string; token: TokenDescription; revoked?: TokenDescription } = {
      value: record.value,
      token: this.tokens.describe(record),
    };
    if (replaced) {
      const revoked = this.revokeToken(replaced.value);
      if (revoked) result.revoked = revoked;
    }
    return result;
  }

  addToken(spec: {
    value: string;
    state?: TokenState;
    accountIds?: 'all' | string[];
    label?: string;
  }): TokenDescription {
    const parsed = tokenSpecSchema.parse(spec);
    if (this.tokens.get(parsed.value)) throw new Error('that token value is already configured');
    return this.tokens.describe(this.tokens.add(parsed));
  }
}
