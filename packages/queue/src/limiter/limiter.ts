/**
 * @module limiter
 * The per-ad-account limiter shared by every worker process through Redis: BullMQ Pro's "groups" rebuilt
 * on open-source BullMQ. See the package README for the algorithm.
 *
 * Per (account, BUC) it books every Meta call in a log of Meta's rolling window, at most `capacity` calls per
 * window, where capacity = safetyFactor x the quota it has LEARNED from Meta's usage headers (the configured
 * quotas are only where it starts); the account-wide pace and leases bound the account as a whole, and the
 * app's learned budget bounds every account together.
 *
 * @example
 * const limiter = createLimiter({ redis, windowMs: 3_600_000 });
 * const slot = await limiter.acquire({ adAccountId, buc: 'ads_insights', jobId: job.id! });
 * if (!slot.ok) await parkJob(job, token, slot.retryAt); // throws DelayedError, no attempt used
 * try {
 *   ... the first call ...; await limiter.recordUsage({ scope: 'account', adAccountId, buc, utilizationPct, member: slot.member, slotAt: slot.slotAt });
 *   const next = await limiter.book({ adAccountId, buc, jobId: job.id! }); // the job's next call
 * } finally { await slot.release(); }
 */
import { z } from 'zod';
import { LimiterError } from '../errors/limiter-error.ts';
import { checkReply, SCRIPT_CODES } from '../lua/codes.ts';
import { type RedisClient, runScript } from '../lua/loader.ts';
import { accountKeys, checkBuc, globalKeys, normalizeAccountId } from './keys.ts';
import {
  type AccountOverrides,
  type EffectiveLimits,
  effectiveLimits,
  type LimiterSettings,
  resolveLimiterSettings,
} from './settings.ts';
import { slowdownFactor } from './slowdown.ts';

export interface LimiterOptions extends Partial<LimiterSettings> {
  /** A connection the limiter may use (it registers its scripts on it). Not closed by the limiter. */
  redis: RedisClient;
  /** Per-account overrides (map or function). */
  accounts?: AccountOverrides;
  /** Randomness for jitter (tests pass `() => 0`). Default Math.random. */
  random?: () => number;
}

export interface AcquireRequest {
  /** `act_123` or `123`. */
  adAccountId: string;
  /** Business use case the job's calls count against, e.g. `ads_insights`. */
  buc: string;
  /** The BullMQ job id: reservations and leases are keyed by it, so it must stay the same across parks. */
  jobId: string;
  /**
   * The caller passes every call of the grant through `admitApp` first, which refuses while the app is
   * blocked: the app-wide block is then checked there, and acquire saves its own look (one round trip).
   */
  skipAppBlock?: boolean;
}

export type DenyReason = 'paced' | 'blocked' | 'concurrency' | 'app_blocked' | 'app_paced';

export interface Grant {
  ok: true;
  adAccountId: string;
  buc: string;
  jobId: string;
  /** The slot the job used, ms since the epoch (Redis time). */
  slotAt: number;
  /** The call's entry in the window log: pass it (and `slotAt`) to `recordUsage` so the answer teaches the quota. */
  member: string;
  /** Calls per window the limiter books for this (account, BUC) now (0 = not paced). */
  capacity: number;
  /** Account-wide slowdown factor in force. */
  factor: number;
  /** Gives the concurrency lease back. Idempotent; call it in `finally`. */
  release(): Promise<void>;
  /** Keeps the lease for `ttlMs` more (default leaseTtlMs). Throws LimiterError('lease_lost') if it expired. */
  extend(ttlMs?: number): Promise<void>;
}

export interface Denial {
  ok: false;
  reason: DenyReason;
  /** When to try again, ms since the epoch on this process's clock: pass it to `job.moveToDelayed`. */
  retryAt: number;
  /** `retryAt - now` when the answer was given. */
  delayMs: number;
  /** The booked slot (Redis time) for paced/blocked/concurrency; kept for the job until it returns. */
  slotAt?: number;
  factor: number;
}

export type AcquireResult = Grant | Denial;

export interface BookRequest {
  adAccountId: string;
  buc: string;
  /**
   * The running job's id: a slot in the future is kept as the job's reservation (park, and use it when back).
   * Without it a future slot is booked as a call and the caller waits for it.
   */
  jobId?: string;
}

export interface BookResult {
  /** `now`: call now; otherwise wait `delayMs` (sleep if short, or park). */
  reason: 'now' | 'paced' | 'blocked';
  delayMs: number;
  /** The call's slot (Redis time). */
  slotAt: number;
  /** The call's log entry ('' for a job's reservation: the job gets one when it comes back). */
  member: string;
  capacity: number;
}

/** The app-wide gate before one call: admitted (and counted), or when to try again. */
export type AppAdmission =
  | { ok: true; capacity: number; calls: number }
  | { ok: false; reason: 'app_paced' | 'app_blocked'; delayMs: number; retryAt: number };

/** What the worker learned from one Meta response, mapped from meta-client's usage snapshot. */
export interface UsageReport {
  /** `account`: one ad account (and BUC); `app`: the whole Meta app (code 4, 341, 613/1996). */
  scope: 'account' | 'app';
  /** Required for scope `account`. */
  adAccountId?: string;
  /** BUC type (`ads_insights`, ...); omitted or `'*'` = the whole account (X-Ad-Account-Usage, score limits). */
  buc?: string;
  /** Percent of the quota used: the max of call_count / total_cputime / total_time / acc_id_util_pct. */
  utilizationPct?: number;
  /** A throttle error happened: block even without a regain time (then the fallback applies). */
  throttled?: boolean;
  /** Block for this long (e.g. from `throttleBlockMs`); > 0 blocks even without `throttled`. */
  blockForMs?: number;
  /** Short label stored with a block, e.g. `meta 80004/2446079`. Never a token or a URL. */
  reason?: string;
  /** The answered call's log entry and slot (from acquire/book): its answer then teaches the BUC's quota. */
  member?: string;
  slotAt?: number;
}

export interface UsageOutcome {
  scope: 'account' | 'app';
  adAccountId?: string;
  buc?: string;
  /** Slowdown factor now in force for the (account, BUC); 1 for app scope. */
  factor: number;
  /** Remaining block (ms) of the (account, BUC) or of the app; 0 = not blocked. */
  blockedForMs: number;
  /** End of the block on this process's clock; null when not blocked. */
  blockedUntil: number | null;
  /** What the limiter has learned of the quota (BUC or app budget): calls per window, hi null = no upper bound. */
  quota?: { lo: number; hi: number | null } | undefined;
}

export interface AppBlockState {
  /** End of the app-wide block, ms since the epoch (Redis time). */
  blockedUntil: number;
  remainingMs: number;
  reason: string;
  since: number;
}

export interface ThrottledAccount {
  adAccountId: string;
  buc: string;
  /** ms since the epoch (Redis time). */
  blockedUntil: number;
  remainingMs: number;
}

export interface ThrottledList {
  /** Redis time of the answer. */
  now: number;
  /** Blocked (account, BUC) pairs in total (the list holds at most `limit`). */
  total: number;
  accounts: ThrottledAccount[];
  app: AppBlockState | null;
}

export interface AccountState {
  adAccountId: string;
  /** Per BUC ('*' = whole account): last utilisation, slowdown in force, block in force. */
  bucs: Record<
    string,
    {
      utilizationPct?: number;
      factor: number;
      blockedUntil?: number;
      blockReason?: string;
      reportedAt?: number;
      /** The learned quota (calls per window): the interval, the estimate booked from, answers used, and at which answer it narrowed to 20 %. */
      quota?: { lo: number; hi: number | null; estimate: number; answers: number; convergedAfter?: number };
    }
  >;
  /** Leases currently held (expired ones excluded). */
  activeLeases: number;
}

export interface AppState {
  utilizationPct?: number;
  reportedAt?: number;
  quota?: { lo: number; hi: number | null; estimate: number; answers: number };
  block: AppBlockState | null;
}

export interface Limiter {
  readonly settings: LimiterSettings;
  /** Take a slot for a job's first call: a grant with a lease, or when to come back. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** Book one more call inside a running job (no lease); returns how long to wait for it. */
  book(request: BookRequest): Promise<BookResult>;
  /** The app-wide gate before any call: the app block and the app's learned budget; counts the call. */
  admitApp(): Promise<AppAdmission>;
  /** The app-wide usage, learned budget and block. */
  getAppState(): Promise<AppState>;
  /** Feed Meta's usage headers / throttle errors back: slow down, block, block the app. */
  recordUsage(report: UsageReport): Promise<UsageOutcome>;
  /**
   * The reports of one Meta answer (its BUCs, the whole account, the app), outcomes in the same order. One
   * account's reports go in one script call, applied in the order given; a report that fails its check
   * throws before any is sent.
   */
  recordUsages(reports: readonly UsageReport[]): Promise<UsageOutcome[]>;
  /** The app-wide block in force, or null. */
  getAppBlock(): Promise<AppBlockState | null>;
  /** Accounts blocked now and until when (bounded, soonest-ending first), plus the app-wide block. */
  listThrottledAccounts(options?: { limit?: number }): Promise<ThrottledList>;
  /** One account's feedback state, for status pages. */
  getAccountState(adAccountId: string): Promise<AccountState>;
  /** Lift every block of an account (operator action). Slowdowns and reservations stay. */
  clearAccountBlocks(adAccountId: string): Promise<void>;
  /** Lift the app-wide block (operator action). */
  clearAppBlock(): Promise<void>;
}

const usageReportSchema = z.strictObject({
  scope: z.enum(['account', 'app']),
  adAccountId: z.string().optional(),
  buc: z.string().optional(),
  utilizationPct: z.number().min(0).max(100_000).optional(),
  throttled: z.boolean().optional(),
  blockForMs: z.number().min(0).optional(),
  reason: z.string().optional(),
  member: z.string().max(300).optional(),
  slotAt: z.number().min(0).optional(),
});

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1_000;

export function createLimiter(options: LimiterOptions): Limiter {
  const { redis, accounts, random = Math.random, ...overrides } = options;
  const settings = resolveLimiterSettings(overrides);
  const global = globalKeys(settings.keyPrefix);

  async function appBlockReply(): Promise<AppBlockState | null> {
    const reply = checkReply('app-block', await runScript(redis, 'app-block', [global.app], []));
    const remainingMs = Number(reply[0]);
    if (remainingMs <= 0) return null;
    return {
      remainingMs,
      blockedUntil: Number(reply[1]),
      reason: String(reply[2] ?? ''),
      since: Number(reply[3] ?? 0),
    };
  }

  function deny(reason: DenyReason, delayMs: number, factor: number, slotAt?: number): Denial {
    const delay = Math.max(1, Math.ceil(delayMs));
    const denial: Denial = { ok: false, reason, retryAt: Date.now() + delay, delayMs: delay, factor };
    if (slotAt !== undefined) denial.slotAt = slotAt;
    return denial;
  }

  /** The booking arguments of acquire/book (book-args.lua), in order. */
  function bookArgs(limits: EffectiveLimits): number[] {
    return [
      limits.quotaHint,
      settings.windowMs,
      settings.windowMarginMs,
      settings.safetyFactor,
      limits.accountIntervalMs,
      limits.accountBurst,
      settings.reservationGraceMs,
      settings.earlyToleranceMs,
      settings.probeTtlMs,
      settings.probeRetryMs,
    ];
  }

  async function acquire(request: AcquireRequest): Promise<AcquireResult> {
    const account = normalizeAccountId(request.adAccountId);
    const buc = checkBuc(request.buc);
    const jobId = checkJobId(request.jobId);

    const app = request.skipAppBlock === true ? null : await appBlockReply();
    if (app) return deny('app_blocked', app.remainingMs + random() * settings.appBlockJitterMs, 1);

    const limits = effectiveLimits(settings, accounts, account, buc);
    const keys = accountKeys(settings.keyPrefix, account);
    const reply = checkReply(
      'acquire',
      await runScript(
        redis,
        'acquire',
        [keys.state, keys.gcra, keys.resv, keys.leases, keys.log(buc)],
        [
          buc,
          jobId,
          ...bookArgs(limits),
          limits.maxConcurrent,
          settings.leaseTtlMs,
          settings.concurrencyRetryMs,
        ],
      ),
    );
    const code = Number(reply[0]);
    const delayMs = Number(reply[1]);
    const slotAt = Number(reply[2]);
    const factor = Number(reply[3]) / 1000;
    const member = String(reply[4] ?? '');
    const capacity = Number(reply[5] ?? 0);
    switch (code) {
      case SCRIPT_CODES.GRANTED:
        return grant(account, buc, jobId, slotAt, member, capacity, factor, limits.maxConcurrent > 0);
      case SCRIPT_CODES.PACED:
        return deny('paced', delayMs, factor, slotAt);
      case SCRIPT_CODES.BLOCKED:
        return deny('blocked', delayMs, factor, slotAt);
      case SCRIPT_CODES.CONCURRENCY:
        return deny('concurrency', delayMs * (1 + random() * settings.concurrencyJitter), factor);
      default:
        throw new LimiterError('unknown_code', `limiter script acquire: unknown return code ${code}`, {
          script: 'acquire',
        });
    }
  }

  function grant(
    account: string,
    buc: string,
    jobId: string,
    slotAt: number,
    member: string,
    capacity: number,
    factor: number,
    leased: boolean,
  ): Grant {
    const keys = accountKeys(settings.keyPrefix, account);
    let released = false;
    return {
      ok: true,
      adAccountId: account,
      buc,
      jobId,
      slotAt,
      member,
      capacity,
      factor,
      async release() {
        if (released || !leased) return;
        released = true;
        await redis.zrem(keys.leases, jobId);
      },
      async extend(ttlMs = settings.leaseTtlMs) {
        if (!leased) return;
        if (released) throw new LimiterError('lease_lost', `the lease of job ${jobId} was already released`);
        checkReply(
          'extend-lease',
          await runScript(redis, 'extend-lease', [keys.leases], [jobId, Math.max(1, Math.ceil(ttlMs))]),
        );
      },
    };
  }

  async function book(request: BookRequest): Promise<BookResult> {
    const account = normalizeAccountId(request.adAccountId);
    const buc = checkBuc(request.buc);
    const jobId = request.jobId === undefined ? '' : checkJobId(request.jobId);
    const limits = effectiveLimits(settings, accounts, account, buc);
    const keys = accountKeys(settings.keyPrefix, account);
    const reply = checkReply(
      'book',
      await runScript(
        redis,
        'book',
        [keys.state, keys.gcra, keys.resv, keys.log(buc)],
        [buc, jobId, ...bookArgs(limits)],
      ),
    );
    const code = Number(reply[0]);
    const reason = code === SCRIPT_CODES.BLOCKED ? 'blocked' : code === SCRIPT_CODES.PACED ? 'paced' : 'now';
    return {
      reason,
      delayMs: Math.max(0, Number(reply[1])),
      slotAt: Number(reply[2]),
      member: String(reply[4] ?? ''),
      capacity: Number(reply[5] ?? 0),
    };
  }

  const appBucketMs = Math.max(1, Math.ceil(settings.windowMs / 60));

  async function admitApp(): Promise<AppAdmission> {
    const reply = checkReply(
      'app-admit',
      await runScript(
        redis,
        'app-admit',
        [global.app, global.appCalls],
        [settings.windowMs, appBucketMs, settings.safetyFactor, settings.windowMarginMs],
      ),
    );
    const code = Number(reply[0]);
    if (code === SCRIPT_CODES.GRANTED)
      return { ok: true, capacity: Number(reply[2]), calls: Number(reply[3]) };
    const jitter = random() * settings.appBlockJitterMs;
    const delayMs = Math.max(1, Math.ceil(Number(reply[1]) + jitter));
    return {
      ok: false,
      reason: code === SCRIPT_CODES.APP_BLOCKED ? 'app_blocked' : 'app_paced',
      delayMs,
      retryAt: Date.now() + delayMs,
    };
  }

  /** A report checked against its schema (a LimiterError names every problem), its reason made printable. */
  function checkedReport(report: UsageReport) {
    const parsed = usageReportSchema.safeParse(report);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
      throw new LimiterError('invalid_argument', `invalid usage report: ${issues.join('; ')}`);
    }
    const input = parsed.data;
    if (input.scope === 'account' && input.adAccountId === undefined) {
      throw new LimiterError(
        'invalid_argument',
        'invalid usage report: adAccountId is required for scope account',
      );
    }
    return {
      input,
      account: input.scope === 'account' ? normalizeAccountId(input.adAccountId!) : '',
      buc: input.scope === 'account' ? checkBuc(input.buc ?? '*', true) : '',
      reason: sanitizeReason(input.reason),
      requestedBlock: input.blockForMs !== undefined && input.blockForMs > 0 ? input.blockForMs : undefined,
      utilization: input.utilizationPct ?? -1,
    };
  }
  type CheckedReport = ReturnType<typeof checkedReport>;

  async function recordApp({
    input,
    reason,
    requestedBlock,
    utilization,
  }: CheckedReport): Promise<UsageOutcome> {
    const blockFor = requestedBlock ?? (input.throttled ? settings.appFallbackBlockMs : 0);
    const reply = checkReply(
      'app-usage',
      await runScript(
        redis,
        'app-usage',
        [global.app, global.appCalls],
        [
          utilization,
          Math.ceil(Math.min(blockFor, settings.maxBlockMs)),
          reason || (blockFor > 0 ? 'app throttle' : ''),
          settings.windowMs,
          appBucketMs,
          settings.windowMarginMs,
          settings.quotaMemoryMs,
          settings.appFallbackBlockMs,
        ],
      ),
    );
    const remaining = Math.max(0, Number(reply[1]));
    return {
      scope: 'app',
      factor: 1,
      blockedForMs: remaining,
      blockedUntil: remaining > 0 ? Date.now() + remaining : null,
      quota: quotaOf(reply[2], reply[3]),
    };
  }

  /** One account's reports (its BUCs and '*'), in order, in one script call. */
  async function recordAccount(account: string, reports: readonly CheckedReport[]): Promise<UsageOutcome[]> {
    const keys = accountKeys(settings.keyPrefix, account);
    const bucs = reports.map(({ buc }) => buc);
    const args: Array<string | number> = [
      reports.length,
      settings.usageTtlMs,
      settings.windowMs,
      settings.windowMarginMs,
      settings.quotaMemoryMs,
      settings.fallbackBlockMs,
      settings.probeTtlMs,
    ];
    for (const { input, buc, reason, requestedBlock, utilization } of reports) {
      const blockFor = requestedBlock ?? (input.throttled ? settings.fallbackBlockMs : 0);
      const member = buc === '*' ? '' : (input.member ?? '');
      args.push(
        buc,
        utilization,
        buc === '*' && utilization >= 0 ? slowdownFactor(utilization, settings.slowdown) : 1,
        Math.ceil(Math.min(blockFor, settings.maxBlockMs)),
        reason || (blockFor > 0 ? 'throttled' : ''),
        member,
        member ? (input.slotAt ?? 0) : 0,
        input.throttled ? 1 : 0,
        buc === '*' ? 0 : effectiveLimits(settings, accounts, account, buc).quotaHint,
      );
    }
    const reply = checkReply(
      'record-usage',
      await runScript(redis, 'record-usage', [keys.state, ...bucs.map((buc) => keys.log(buc))], args),
    );
    const now = Date.now();
    // The operators' index of blocks (score: blocked until, Redis time), written below.
    const blocked: Array<number | string> = [];
    const outcomes = bucs.map((buc, index): UsageOutcome => {
      const at = 5 * index;
      const remaining = Number(reply[at + 1]);
      if (remaining > 0) blocked.push(Number(reply[at]), `${account}|${buc}`);
      return {
        scope: 'account',
        adAccountId: account,
        buc,
        factor: Number(reply[at + 2]) / 1000,
        blockedForMs: remaining,
        blockedUntil: remaining > 0 ? now + remaining : null,
        quota: buc === '*' ? undefined : quotaOf(reply[at + 3], reply[at + 4]),
      };
    });
    // The operators' index lives in another slot than the account, so it is written separately.
    if (blocked.length > 0) await redis.zadd(global.throttled, 'GT', ...blocked);
    return outcomes;
  }

  async function recordUsages(reports: readonly UsageReport[]): Promise<UsageOutcome[]> {
    // Every report is checked before anything is sent: a bad one records none.
    const checked = reports.map(checkedReport);
    const byAccount = new Map<string, number[]>();
    const outcomes: UsageOutcome[] = new Array(reports.length);
    const work: Array<Promise<void>> = [];
    checked.forEach((report, index) => {
      if (report.input.scope === 'app') {
        work.push(
          recordApp(report).then((outcome) => {
            outcomes[index] = outcome;
          }),
        );
        return;
      }
      const indexes = byAccount.get(report.account);
      if (indexes) indexes.push(index);
      else byAccount.set(report.account, [index]);
    });
    for (const [account, indexes] of byAccount) {
      work.push(
        recordAccount(
          account,
          indexes.map((index) => checked[index]!),
        ).then((answers) => {
          answers.forEach((outcome, n) => {
            outcomes[indexes[n]!] = outcome;
          });
        }),
      );
    }
    await Promise.all(work);
    return outcomes;
  }

  async function recordUsage(report: UsageReport): Promise<UsageOutcome> {
    const [outcome] = await recordUsages([report]);
    return outcome!;
  }

  async function getAppState(): Promise<AppState> {
    const [fields, block] = await Promise.all([redis.hgetall(global.app), appBlockReply()]);
    const state: AppState = { block };
    if (fields.util !== undefined) state.utilizationPct = Number(fields.util);
    if (fields.utilAt !== undefined) state.reportedAt = Number(fields.utilAt);
    const quota = quotaFromFields(fields, 'app');
    if (quota) state.quota = quota;
    return state;
  }

  async function listThrottledAccounts(options: { limit?: number } = {}): Promise<ThrottledList> {
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(options.limit ?? DEFAULT_LIST_LIMIT)));
    const reply = checkReply(
      'list-throttled',
      await runScript(redis, 'list-throttled', [global.throttled], [limit]),
    );
    const now = Number(reply[0]);
    const total = Number(reply[1]);
    const list: ThrottledAccount[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const member = String(reply[i]);
      const blockedUntil = Number(reply[i + 1]);
      const separator = member.lastIndexOf('|');
      list.push({
        adAccountId: member.slice(0, separator),
        buc: member.slice(separator + 1),
        blockedUntil,
        remainingMs: Math.max(0, blockedUntil - now),
      });
    }
    return { now, total, accounts: list, app: await appBlockReply() };
  }

  async function getAccountState(adAccountId: string): Promise<AccountState> {
    const account = normalizeAccountId(adAccountId);
    const keys = accountKeys(settings.keyPrefix, account);
    const [fields, now] = await Promise.all([redis.hgetall(keys.state), redisNow()]);
    const activeLeases = await redis.zcount(keys.leases, `(${now}`, '+inf');
    const bucs: AccountState['bucs'] = {};
    const entry = (buc: string) => {
      bucs[buc] ??= { factor: 1 };
      return bucs[buc];
    };
    for (const [field, raw] of Object.entries(fields)) {
      const separator = field.indexOf(':');
      const kind = field.slice(0, separator);
      const buc = field.slice(separator + 1);
      const value = Number(raw);
      if (kind === 'qobs') entry(buc);
      if (kind === 'util') entry(buc).utilizationPct = value;
      else if (kind === 'utilAt') entry(buc).reportedAt = value;
      else if (kind === 'block' && value > now) entry(buc).blockedUntil = value;
      else if (kind === 'reason') entry(buc).blockReason = raw;
    }
    for (const buc of Object.keys(bucs)) {
      const quota = buc === '*' ? undefined : quotaFromFields(fields, buc);
      if (quota) entry(buc).quota = quota;
      const until = Number(fields[`slowUntil:${buc}`] ?? 0);
      if (until > now) entry(buc).factor = Number(fields[`slow:${buc}`] ?? 1);
      if (entry(buc).blockedUntil === undefined) delete entry(buc).blockReason;
    }
    return { adAccountId: account, bucs, activeLeases };
  }

  async function redisNow(): Promise<number> {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async function clearAccountBlocks(adAccountId: string): Promise<void> {
    const account = normalizeAccountId(adAccountId);
    const keys = accountKeys(settings.keyPrefix, account);
    const fields = await redis.hkeys(keys.state);
    const blocks = fields.filter((field) => field.startsWith('block:') || field.startsWith('reason:'));
    if (blocks.length > 0) await redis.hdel(keys.state, ...blocks);
    const members = fields
      .filter((field) => field.startsWith('block:'))
      .map((field) => `${account}|${field.slice(6)}`);
    if (members.length > 0) await redis.zrem(global.throttled, ...members);
  }

  async function clearAppBlock(): Promise<void> {
    await redis.del(global.app);
  }

  return {
    settings,
    acquire,
    book,
    admitApp,
    getAppState,
    recordUsage,
    recordUsages,
    getAppBlock: appBlockReply,
    listThrottledAccounts,
    getAccountState,
    clearAccountBlocks,
    clearAppBlock,
  };
}

function checkJobId(jobId: string): string {
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 200) {
    throw new LimiterError('invalid_argument', `invalid job id ${JSON.stringify(jobId)} for the limiter`);
  }
  return jobId;
}

/** Keeps a block reason short and printable (it is shown to operators). */
function sanitizeReason(reason: string | undefined): string {
  return (reason ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 120);
}

function quotaOf(lo: unknown, hi: unknown): { lo: number; hi: number | null } | undefined {
  const low = Number(lo);
  const high = Number(hi);
  if (!(low > 0)) return undefined;
  return { lo: low, hi: high > 0 ? high : null };
}

/** The learned quota in a state hash (fields of quota-estimate.lua); undefined before the first answer. */
function quotaFromFields(
  fields: Record<string, string>,
  name: string,
): { lo: number; hi: number | null; estimate: number; answers: number; convergedAfter?: number } | undefined {
  const answers = Number(fields[`qobs:${name}`] ?? 0);
  if (!(answers > 0)) return undefined;
  const hi = Number(fields[`qhi:${name}`] ?? 0);
  const converged = Number(fields[`qconv:${name}`] ?? 0);
  return {
    lo: Number(fields[`qlo:${name}`] ?? 0),
    hi: hi > 0 ? hi : null,
    estimate: Number(fields[`qest:${name}`] ?? 0),
    answers,
    ...(converged > 0 ? { convergedAfter: converged } : {}),
  };
}
