/**
 * @module
 * The accounts and tokens a sandbox has when the options name none. Other packages' tests can
 * import these instead of repeating literals.
 */
import type { AccountSpec, TokenSpec } from './schema.ts';

/** Token values configured by default. */
export const SANDBOX_TOKENS = {
  /** Valid, may read every account. */
  valid: 'EAASandboxValidToken0001',
  /** Valid, may read only DEFAULT_ACCOUNT_IDS[0]. */
  limited: 'EAASandboxLimitedToken01',
  /** Revoked (190/460). */
  revoked: 'EAASandboxRevokedToken01',
  /** Expired (190/463). */
  expired: 'EAASandboxExpiredToken01',
} as const;

export const DEFAULT_ACCOUNT_IDS = ['1000000000000001', '1000000000000002', '1000000000000003'] as const;

export const DEFAULT_ACCOUNTS: readonly AccountSpec[] = [
  {
    id: DEFAULT_ACCOUNT_IDS[0],
    name: 'Sandbox Hotel Warszawa',
    timezone: 'Europe/Warsaw',
    currency: 'PLN',
    contactProfile: 'pbm_custom',
    omniActions: true,
  },
  {
    id: DEFAULT_ACCOUNT_IDS[1],
    name: 'Sandbox Resort Gdańsk',
    timezone: 'Europe/Warsaw',
    currency: 'PLN',
    contactProfile: 'pbm_pixel',
    omniActions: false,
  },
  {
    id: DEFAULT_ACCOUNT_IDS[2],
    name: 'Sandbox Closed Account',
    timezone: 'America/New_York',
    currency: 'USD',
    status: 2,
    disableReason: 3,
    contactProfile: 'native_call',
    omniActions: true,
  },
];

export const DEFAULT_TOKENS: readonly TokenSpec[] = [
  { value: SANDBOX_TOKENS.valid, state: 'valid', accountIds: 'all', label: 'valid' },
  { value: SANDBOX_TOKENS.limited, state: 'valid', accountIds: [DEFAULT_ACCOUNT_IDS[0]], label: 'limited' },
  { value: SANDBOX_TOKENS.revoked, state: 'revoked', revokedSubcode: 460, label: 'revoked' },
  { value: SANDBOX_TOKENS.expired, state: 'expired', label: 'expired' },
];

/** Specs for `accounts: N`: ids 1000000000000001 ... */
export function generatedAccounts(count: number): AccountSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(1_000_000_000_000_001 + i).padStart(16, '0'),
    name: `Sandbox Account ${i + 1}`,
  }));
}
