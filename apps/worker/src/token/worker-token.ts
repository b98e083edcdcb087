/**
 * @module token/worker-token
 * The token as the worker uses it: the token source's current token for every Meta call (meta-client
 * reads `accessToken()` before each attempt), and the fingerprint of the token a job's calls were really
 * sent with, so what the job records (validation history, token state) and how it treats a token-fatal
 * answer follow the token of that call, not whatever the process switched to since.
 *
 * Fingerprints are computed once per token value (HMAC with TOKEN_FINGERPRINT_KEY).
 *
 * @example
 * const token = createWorkerToken(source, config.TOKEN_FINGERPRINT_KEY);
 * createMetaClient({ accessToken: token.accessToken, ... });
 */

import { tokenFingerprint } from '@meta-engine/meta-client';
import type { TokenSource } from '@meta-engine/runtime';
import { jobCalls } from '../call-booking.ts';

export interface WorkerToken {
  readonly source: TokenSource;
  /** The token for the next Meta call; notes its fingerprint in the running job's call context. */
  accessToken(): string;
  /** The current token's fingerprint. */
  fingerprint(): string;
  /** The fingerprint of the token the running job's last call used, else the current one. */
  jobFingerprint(): string;
}

export function createWorkerToken(source: TokenSource, fingerprintKey: string): WorkerToken {
  let cached = { token: '', fingerprint: '' };
  const current = () => {
    const token = source.current();
    if (cached.token !== token) cached = { token, fingerprint: tokenFingerprint(fingerprintKey, token) };
    return cached;
  };
  return {
    source,
    accessToken() {
      const { token, fingerprint } = current();
      const calls = jobCalls.getStore();
      if (calls) calls.tokenFingerprint = fingerprint;
      return token;
    },
    fingerprint: () => current().fingerprint,
    jobFingerprint: () => jobCalls.getStore()?.tokenFingerprint ?? current().fingerprint,
  };
}
