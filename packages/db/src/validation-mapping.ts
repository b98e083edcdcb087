/**
 * @module validation-mapping
 * What an ad-account validation outcome does to the app's `clients` columns. Pure; the rules and the
 * reasons are in the README ("Validation mapping").
 *
 * Principles:
 * - `token_health_status` / `last_token_validation` say what the last check found (the app's UI shows it).
 * - `api_status` is the app's "include in every job" flag. This system takes a client out of the jobs only
 *   when its ad account is unreachable with a working token (`no_access`), and puts it back as soon as a
 *   check reaches the account again. It never re-includes a client somebody else excluded, and a problem
 *   with the shared token itself (`token_invalid`/`token_expired`) never flips api_status of any client:
 *   the token is recorded in meta_token_state and one rotation fixes every client.
 */
import type { ApiStatus } from './repo/clients.ts';

export const VALIDATION_OUTCOMES = [
  /** account reachable, account_status 1 (ACTIVE) or 9 (IN_GRACE_PERIOD). */
  'active',
  /** account reachable but not active: disabled, unsettled, closed, pending review/closure… */
  'account_inactive',
  /** the token works but cannot reach this account (codes 10, 200–299, 100/subcode 33; HTTP 403/404). */
  'no_access',
  /** the token itself is invalid or revoked (190 and friends). */
  'token_invalid',
  /** the token expired (190 with subcode 463). */
  'token_expired',
  /** the check could not be completed (throttling, 5xx, timeout): nothing learned. */
  'check_failed',
] as const;
export type ValidationOutcome = (typeof VALIDATION_OUTCOMES)[number];

export interface MappingInput {
  outcome: ValidationOutcome;
  /** The client's api_status before this check. */
  currentApiStatus: ApiStatus;
  /**
   * From the previous history row: whether the client's current exclusion was made by this system
   * (`excluded_by_validation`), and the api_status that row left. Null when there is no earlier row.
   */
  previous: { excludedByValidation: boolean; apiStatusAfter: string | null } | null;
}

export interface MappingResult {
  /** New token_health_status, or null to leave the column as it is. */
  tokenHealthStatus: 'valid' | 'invalid' | 'expired' | null;
  /** The api_status after this check (equal to the current one when unchanged). */
  apiStatus: ApiStatus;
  /** Whether last_token_validation is set to the check time. */
  touchLastValidation: boolean;
  /** Whether the client is now out of the jobs because of this system (carried to the next check). */
  excludedByValidation: boolean;
}

const INCLUDED: ReadonlySet<ApiStatus> = new Set(['valid', 'pending']);

export function mapValidationOutcome({ outcome, currentApiStatus, previous }: MappingInput): MappingResult {
  // Our exclusion still stands only if nobody changed api_status since we set it.
  const excludedByUs =
    previous?.excludedByValidation === true &&
    previous.apiStatusAfter === currentApiStatus &&
    !INCLUDED.has(currentApiStatus);
  switch (outcome) {
    case 'active':
    case 'account_inactive': {
      const reinclude = INCLUDED.has(currentApiStatus) || excludedByUs;
      return {
        tokenHealthStatus: 'valid',
        apiStatus: reinclude ? 'valid' : currentApiStatus,
        touchLastValidation: true,
        excludedByValidation: false,
      };
    }
    case 'no_access': {
      const exclude = INCLUDED.has(currentApiStatus) || excludedByUs;
      return {
        tokenHealthStatus: 'invalid',
        apiStatus: exclude ? 'invalid' : currentApiStatus,
        touchLastValidation: true,
        excludedByValidation: exclude,
      };
    }
    case 'token_invalid':
    case 'token_expired':
      return {
        tokenHealthStatus: outcome === 'token_invalid' ? 'invalid' : 'expired',
        apiStatus: currentApiStatus,
        touchLastValidation: true,
        excludedByValidation: excludedByUs,
      };
    case 'check_failed':
      return {
        tokenHealthStatus: null,
        apiStatus: currentApiStatus,
        touchLastValidation: false,
        excludedByValidation: excludedByUs,
      };
  }
}
