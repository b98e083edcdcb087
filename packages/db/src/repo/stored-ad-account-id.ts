/**
 * How the tables store an ad account id: the bare digits. The reporting app's `clients.ad_account_id`
 * sometimes carries Meta's `act_` spelling, so rows are normalised on the way in and out.
 *
 * The rule matches meta-client's `parseAdAccountId` (`tests/ad-account-id-rule.test.ts` holds them to
 * the same table of inputs); db keeps its own copy so it knows nothing of Meta's client.
 */
const STORED_AD_ACCOUNT_ID = /^(?:act_)?([1-9]\d{0,19})$/;
const MAX_QUOTED = 64;

/**
 * `act_123`, `123` (surrounding whitespace allowed, or a safe integer) → `'123'`. Anything else throws an
 * `Error` quoting the value (truncated to 64 characters).
 *
 * @example
 * storedAdAccountId(' act_123 ') // '123'
 */
export function storedAdAccountId(input: unknown): string {
  const usable = typeof input === 'string' || (typeof input === 'number' && Number.isSafeInteger(input));
  const id = usable ? STORED_AD_ACCOUNT_ID.exec(String(input).trim())?.[1] : undefined;
  if (id !== undefined) return id;
  const raw = String(input);
  const value = raw.length > MAX_QUOTED ? `${raw.slice(0, MAX_QUOTED)}…` : raw;
  throw new Error(`Invalid ad account id ${JSON.stringify(value)}: expected "act_<digits>" or "<digits>"`);
}
