/**
 * @module token-fingerprint
 * The shared token's fingerprint: HMAC-SHA256 of the token keyed with a secret (TOKEN_FINGERPRINT_KEY),
 * hex. Producer and worker both record it (rotation state, validation history), so one function serves
 * both. The token itself is never stored; the key stops anyone holding only the database from confirming
 * a guessed token against it.
 *
 * @example
 * tokenFingerprint('key-from-env', token) // '3b1f…' (64 hex characters)
 */
import { createHmac } from 'node:crypto';

export function tokenFingerprint(key: string, token: string): string {
  return createHmac('sha256', key).update(token, 'utf8').digest('hex');
}

/** First 12 characters, enough to tell tokens apart in logs, Redis keys and the CLI. */
export function shortFingerprint(fingerprint: string | null | undefined): string {
  return fingerprint ? fingerprint.slice(0, 12) : '(none)';
}
