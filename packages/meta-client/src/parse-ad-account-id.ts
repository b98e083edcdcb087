import { InvalidAdAccountIdError } from './errors/invalid-ad-account-id-error.ts';

const AD_ACCOUNT_ID = /^(?:act_)?([1-9]\d{0,19})$/;

/**
 * The one parser for ad account ids entering the system: `act_123`, `123`, with surrounding
 * whitespace (or a safe integer), → the bare numeric id `'123'`. Anything else (including `0`, leading zeros, `act_`, `act_12a`,
 * `ACT_1`, inner spaces, non-strings) throws `InvalidAdAccountIdError` quoting the value.
 *
 * @example
 * parseAdAccountId(' act_123 ') // '123'
 */
export function parseAdAccountId(input: unknown): string {
  const usable = typeof input === 'string' || (typeof input === 'number' && Number.isSafeInteger(input));
  if (!usable) throw new InvalidAdAccountIdError(input);
  const match = AD_ACCOUNT_ID.exec(String(input).trim());
  const id = match?.[1];
  if (id === undefined) throw new InvalidAdAccountIdError(input);
  return id;
}

/** `'123'` or `'act_123'` → `'act_123'` (validated). */
export function toActId(id: unknown): string {
  return `act_${parseAdAccountId(id)}`;
}
