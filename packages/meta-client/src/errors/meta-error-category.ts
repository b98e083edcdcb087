/**
 * What a caller should do about an error, following the retryability matrix of
 * `reference/meta-graph-api.md` §2.1.
 *
 * - `account_throttle`: pause this ad account (or the throttled object), keep working on others.
 * - `app_throttle`: pause every worker using this app / token.
 * - `transient`: retry with backoff.
 * - `data_too_large`: do not retry blindly; split the date range (or level, fields).
 * - `token_fatal`: the shared token is dead; stop everything and alert.
 * - `account_fatal`: skip this ad account and flag it (no access, not found, disabled).
 * - `request_bug`: our request is wrong; do not retry.
 * - `policy`: policy block or abuse prevention; pause for hours and alert a human.
 */
export const META_ERROR_CATEGORIES = [
  'account_throttle',
  'app_throttle',
  'transient',
  'data_too_large',
  'token_fatal',
  'account_fatal',
  'request_bug',
  'policy',
] as const;

export type MetaErrorCategory = (typeof META_ERROR_CATEGORIES)[number];

export function isMetaErrorCategory(value: unknown): value is MetaErrorCategory {
  return typeof value === 'string' && (META_ERROR_CATEGORIES as readonly string[]).includes(value);
}
