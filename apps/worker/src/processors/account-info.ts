/**
 * @module processors/account-info
 * The ad account's time zone, currency, name and status for refresh-cache and collect-insights: from the
 * latest validation of this client and account (no Meta call), or from one `act_<id>` read when there is
 * none. Periods and ranges are computed in that time zone.
 */

import type { MetaAccountInfo } from '../transform/index.ts';
import type { JobRun, ProcessorContext } from './context.ts';

export interface AccountInfo {
  /** IANA zone of the ad account. */
  timezone: string;
  currency: string | null;
  name: string | null;
  status: number | null;
  /** Where it came from: the validation history, or a Meta call made now. */
  source: 'validation' | 'meta';
}

export const ACCOUNT_INFO_FIELDS = ['id', 'name', 'account_status', 'currency', 'timezone_name'] as const;

/** Time zone names already checked (a `DateTimeFormat` per check costs more than the rest of the lookup). */
const knownTimeZones = new Map<string, boolean>();
const MAX_KNOWN_TIME_ZONES = 1_000;

function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  const known = knownTimeZones.get(value);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    valid = true;
  } catch {
    valid = false;
  }
  if (knownTimeZones.size >= MAX_KNOWN_TIME_ZONES) knownTimeZones.clear();
  knownTimeZones.set(value, valid);
  return valid;
}

/** The newest history row of this ad account that carries a time zone (pure). */
export function accountInfoFromValidations(
  rows: readonly Record<string, unknown>[],
  adAccountId: string,
): AccountInfo | null {
  for (const row of rows) {
    if (String(row.ad_account_id ?? '') !== adAccountId) continue;
    if (!isTimeZone(row.timezone_name)) continue;
    return {
      timezone: row.timezone_name,
      currency: typeof row.currency === 'string' ? row.currency : null,
      name: typeof row.account_name === 'string' ? row.account_name : null,
      status: typeof row.account_status === 'number' ? row.account_status : null,
      source: 'validation',
    };
  }
  return null;
}

/** The cache's `accountInfo` (Meta's field names) from what we know of the account. */
export function toMetaAccountInfo(adAccountId: string, info: AccountInfo): MetaAccountInfo {
  const out: MetaAccountInfo = { id: `act_${adAccountId}`, timezone_name: info.timezone };
  if (info.name !== null) out.name = info.name;
  if (info.currency !== null) out.currency = info.currency;
  if (info.status !== null) out.account_status = info.status;
  return out;
}

/** How many of the latest validations are looked at for the account's time zone. */
export const ACCOUNT_INFO_VALIDATIONS = 5;

/**
 * See the module comment. `validations`: the client's latest ones (at least ACCOUNT_INFO_VALIDATIONS), read
 * with the job's other facts (`repo.getJobContext`). Meta errors propagate (the processor's failure handling
 * applies).
 */
export async function resolveAccountInfo(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  validations: readonly Record<string, unknown>[],
): Promise<AccountInfo> {
  const known = accountInfoFromValidations(validations, run.adAccountId);
  if (known) return known;
  const { data } = await ctx.meta.getAdAccount(run.adAccountId, ACCOUNT_INFO_FIELDS);
  if (!isTimeZone(data.timezone_name)) {
    throw new Error(`ad account ${run.adAccountId} has no usable timezone_name`);
  }
  return {
    timezone: data.timezone_name,
    currency: data.currency ?? null,
    name: data.name ?? null,
    status: data.account_status ?? null,
    source: 'meta',
  };
}
