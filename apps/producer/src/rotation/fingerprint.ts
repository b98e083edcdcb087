/**
 * @module fingerprint
 * The token's fingerprint: HMAC-SHA256 keyed with TOKEN_FINGERPRINT_KEY, hex. It tells whether the
 * configured token changed without storing or logging the token; the key stops anyone holding only the
 * database from confirming a guessed token against it.
 *
 * @example
 * tokenFingerprint('key-from-env', 'EAAB...') // '3b1f...' (64 hex characters)
 */
import { createHmac } from 'node:crypto';

export function tokenFingerprint(key: string, token: string): string {
  return createHmac('sha256', key).update(token, 'utf8').digest('hex');
}

/** First 12 characters, enough to tell tokens apart in logs and the CLI. */
export function shortFingerprint(fingerprint: string | null | undefined): string {
  return fingerprint ? fingerprint.slice(0, 12) : '(none)';
}
