/**
 * @module ports
 * The narrow interfaces the producer needs from `packages/db` and `packages/queue`. The rest of the
 * producer depends only on these; `adapters/` implements them on top of the real packages, so a change in
 * a package touches one adapter file. Tests may pass in-memory implementations.
 */
import type { Task } from './tasks.ts';

/** A client as the producer needs it: enough to build one job. */
export interface ClientRef {
  /** `clients.id` (uuid). */
  id: string;
  /** Bare numeric ad account id; empty when the client has none. */
  adAccountId: string;
}

export interface ClientDirectory {
  /**
   * One page of the clients eligible for `task`, ordered by id ascending, ids strictly greater than
   * `afterId` (keyset paging: stable while rows are added or removed). An empty page ends the listing.
   */
  pageEligibleClients(task: Task, afterId: string | null, limit: number): Promise<ClientRef[]>;
  /** The clients among `ids` that exist (any order). Ids that are not returned are unknown. */
  getClientsByIds(ids: readonly string[]): Promise<ClientRef[]>;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
}

/** What the producer reads and writes of the stored token state (one row for the shared token). */
export interface TokenStateView {
  /** HMAC fingerprint of the token the state was recorded for; null before any rotation. */
  fingerprint: string | null;
  /** Free-form status from the worker's debug_token check (`valid`, `invalid`, `expired`, ...). */
  status: string | null;
  /** When the fingerprint was recorded (ISO), if known. */
  rotatedAt: string | null;
  /** When the token was last checked by the worker (ISO), if known. */
  checkedAt: string | null;
  /** Token expiry (ISO); null for never-expiring system-user tokens or when unknown. */
  expiresAt: string | null;
}

export interface TokenStateStore {
  read(): Promise<TokenStateView | null>;
  /** Records the fingerprint of the token now in use (after a rotation). */
  recordFingerprint(fingerprint: string, at: Date): Promise<void>;
}

export interface QueuePauseState {
  queue: string;
  paused: boolean;
  /** Why it is paused (e.g. `token_fatal`), when the pause was recorded with a reason. */
  reason: string | null;
  /** When it was paused (ISO), if recorded. */
  since: string | null;
}

export interface PauseControl {
  states(): Promise<QueuePauseState[]>;
  /** Resumes every queue paused because of a token-fatal error; returns the names it resumed. */
  resumeTokenFatal(): Promise<string[]>;
}

export interface ThrottledAccount {
  adAccountId: string;
  /** Until when the account is blocked or paced. */
  until: Date;
  /** Business use case or cause, when the limiter records one. */
  reason: string | null;
}

export interface ThrottleReader {
  /** Accounts blocked at `now` (at most `limit`, soonest release first). */
  listThrottled(now: Date, limit: number): Promise<ThrottledAccount[]>;
}
