/**
 * @module fingerprint
 * The token's fingerprint: HMAC-SHA256 of the token keyed with TOKEN_FINGERPRINT_KEY, hex (64 characters).
 * The same scheme as `apps/producer/src/rotation/fingerprint.ts` (mirrored, not imported: apps do not depend
 * on each other), so the worker's `meta_token_state` and validation rows line up with the producer's
 * rotation records. The token itself is never stored; the key stops anyone holding only the database from
 * confirming a guessed token.
 *
 * @example
 * tokenFingerprint('key-from-env', 'EAAB...') // '3b1f...' (64 hex characters)
 */
import { createHmac } from 'node:crypto';

export function tokenFingerprint(key: string, token: string): string {
  return createHmac('sha256', key).update(token, 'utf8').digest('hex');
}

/** First 12 characters, enough to tell tokens apart in logs and Redis keys. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}
