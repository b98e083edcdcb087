/**
 * LOCAL COPY of `parseAdAccountId` from @meta-engine/meta-client (packages/meta-client/src/
 * parse-ad-account-id.ts), which that package does not export yet. Same rule: `act_123`, `123`, surrounding
 * whitespace → `'123'`; anything else (`0`, `act_`, `act_12a`, `ACT_1`, inner spaces) is rejected.
 * Switch the callers to the meta-client export once it lands, and delete this file.
 */
const AD_ACCOUNT_ID = /^(?:act_)?(\d{1,20})$/;
const MAX_QUOTED = 64;

/** The bare numeric id, or throws an Error quoting the value (truncated to 64 characters). */
export function parseAdAccountId(input: unknown): string {
  const usable = typeof input === 'string' || (typeof input === 'number' && Number.isSafeInteger(input));
  const id = usable ? AD_ACCOUNT_ID.exec(String(input).trim())?.[1] : undefined;
  if (id === undefined || /^0+$/.test(id)) {
    const raw = typeof input === 'string' ? input : String(input);
    const value = raw.length > MAX_QUOTED ? `${raw.slice(0, MAX_QUOTED)}…` : raw;
    throw new Error(`Invalid ad account id ${JSON.stringify(value)}: expected "act_<digits>" or "<digits>"`);
  }
  return id;
}
