/**
 * @module console/token-view
 * Pure view model of the console's token panel: the shared token as the database and Redis know it (type,
 * scopes, expiry, fingerprint, last check), why Meta traffic is paused if it is, the producer's last
 * rotation, and the app-wide throttle. Never the token itself: only its keyed fingerprint, shortened.
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import type { QueuePauseState, ThrottleList, TokenStateView } from '../ports.ts';

export interface TokenFacts {
  stored: TokenStateView | null;
  lastRotation: { fingerprint: string; at: string | null } | null;
  /** Fingerprint of the token in this producer's environment, when it has one. */
  configured: string | null;
  queues: QueuePauseState[];
  appBlock: ThrottleList['app'];
}

export interface TokenPanel {
  /** `ok`, `token_fatal`, `unknown` (checked by the worker), or `none` before any record. */
  status: string;
  type: string | null;
  scopes: string[] | null;
  /** ISO time, `never` (system users, `expires_at` 0) or `unknown` (not checked yet). */
  expires: string;
  fingerprint: string | null;
  lastCheckedAt: string | null;
  /** Why the token's state pauses Meta traffic (the worker's record), if it does. */
  pausedReason: string | null;
  /** Queues paused now, with the recorded reason. */
  pausedQueues: { queue: string; reason: string | null; detail: string | null; since: string | null }[];
  lastRotation: { fingerprint: string; at: string | null } | null;
  /** The configured token differs from the one last rotated to: `producer rotate` applies it. */
  rotationPending: boolean;
  appBlock: { until: string; reason: string } | null;
}

export function buildTokenPanel(facts: TokenFacts): TokenPanel {
  const stored = facts.stored;
  const current = facts.lastRotation?.fingerprint ?? stored?.fingerprint ?? null;
  const checked = stored !== null && (stored.scopes !== null || stored.type !== null);
  return {
    status: stored?.status ?? 'none',
    type: stored?.type ?? null,
    scopes: stored?.scopes ?? null,
    expires: stored?.expiresAt ?? (stored?.type === 'SYSTEM_USER' || checked ? 'never' : 'unknown'),
    fingerprint: stored ? shortFingerprint(stored.fingerprint) : null,
    lastCheckedAt: stored?.lastCheckedAt ?? null,
    pausedReason: stored?.pausedReason ?? null,
    pausedQueues: facts.queues
      .filter((q) => q.paused)
      .map((q) => ({ queue: q.queue, reason: q.reason, detail: q.detail, since: q.since })),
    lastRotation: facts.lastRotation
      ? { fingerprint: shortFingerprint(facts.lastRotation.fingerprint), at: facts.lastRotation.at }
      : null,
    rotationPending: facts.configured !== null && facts.configured !== current,
    appBlock: facts.appBlock
      ? { until: facts.appBlock.until.toISOString(), reason: facts.appBlock.reason }
      : null,
  };
}
