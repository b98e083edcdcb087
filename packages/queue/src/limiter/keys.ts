/**
 * Redis keys of the limiter. Per-account keys carry the account as a hash tag, so one account's keys share
 * a Redis Cluster slot (the acquire script touches four of them) while accounts spread over the cluster.
 *
 *   <prefix>:{<account>}:state    hash  usage feedback: util/slow/block per BUC ('*' = whole account)
 *   <prefix>:{<account>}:gcra     hash  GCRA TAT per BUC and '*' (ms, Redis time)
 *   <prefix>:{<account>}:resv     zset  "<buc>|<jobId>" -> reserved slot (ms)
 *   <prefix>:{<account>}:leases   zset  jobId -> lease expiry (ms)
 *   <prefix>:{<account>}:log:<buc> zset the BUC's calls in Meta's rolling window (window-log.lua)
 *   <prefix>:{app}                hash  app-wide block (until, reason, since), usage, learned budget
 *   <prefix>:{app}:calls          hash  the app's calls per time bucket (app-calls.lua)
 *   <prefix>:throttled            zset  "<account>|<buc>" -> blocked until (ms), the operators' index
 */
import { LimiterError } from '../errors/limiter-error.ts';

export interface AccountKeys {
  state: string;
  gcra: string;
  resv: string;
  leases: string;
  /** The window log of one BUC. */
  log: (buc: string) => string;
}

const ACCOUNT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const BUC_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The account id as the limiter keys it: trimmed, without `act_` (`act_123` and `123` are one account).
 * Throws LimiterError(invalid_argument) for anything but 1-64 letters, digits and `_.-`.
 */
export function normalizeAccountId(adAccountId: string): string {
  const value = String(adAccountId).trim().replace(/^act_/i, '');
  if (!ACCOUNT_PATTERN.test(value)) {
    throw new LimiterError(
      'invalid_argument',
      `invalid ad account id ${JSON.stringify(adAccountId)} for the limiter: expected act_<digits> or digits`,
    );
  }
  return value;
}

/** A BUC type such as `ads_insights`; `'*'` (the whole account) only where `allowAccount` is set. */
export function checkBuc(buc: string, allowAccount = false): string {
  if ((allowAccount && buc === '*') || BUC_PATTERN.test(buc)) return buc;
  throw new LimiterError(
    'invalid_argument',
    `invalid business use case ${JSON.stringify(buc)}: expected a Meta BUC type such as ads_insights${
      allowAccount ? " or '*'" : ''
    }`,
  );
}

export function accountKeys(keyPrefix: string, normalizedAccountId: string): AccountKeys {
  const base = `${keyPrefix}:{${normalizedAccountId}}`;
  return {
    state: `${base}:state`,
    gcra: `${base}:gcra`,
    resv: `${base}:resv`,
    leases: `${base}:leases`,
    log: (buc: string) => `${base}:log:${buc}`,
  };
}

/** The app-wide keys share one hash tag, so the app scripts run on one Redis Cluster slot. */
export function globalKeys(keyPrefix: string): { app: string; appCalls: string; throttled: string } {
  return {
    app: `${keyPrefix}:{app}`,
    appCalls: `${keyPrefix}:{app}:calls`,
    throttled: `${keyPrefix}:throttled`,
  };
}
