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
  /**
   * Ad account id: bare digits when it parsed, else the stored value as is (the worker records why it is
   * malformed, so such clients are enqueued rather than dropped).
   */
  adAccountId: string;
}

/** A row that cannot become a job at all (unexpected shape), with the reason. */
export interface UnusableClient {
  clientId: string;
  problem: string;
}

export interface ClientPage {
  clients: ClientRef[];
  unusable: UnusableClient[];
  /** Id of the page's last row, to continue after; null when the page is empty (end of the listing). */
  lastId: string | null;
  /** Rows the page held (clients + unusable): fewer than asked means it was the last page. */
  rows: number;
}

export interface ClientDirectory {
  /**
   * One page of the clients eligible for `task`, ordered by id ascending, ids strictly greater than
   * `afterId` (keyset paging: stable while rows are added or removed).
   */
  pageEligibleClients(task: Task, afterId: string | null, limit: number): Promise<ClientPage>;
  /** The clients among `ids`, whatever their status; `unknownIds` lists ids with no such client. */
  getClientsByIds(ids: readonly string[]): Promise<{ clients: ClientRef[]; unknownIds: string[] }>;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
}

/** The stored state of the shared token, as the producer shows and compares it. */
export interface TokenStateView {
  /** HMAC fingerprint of the token the latest state row is about. */
  fingerprint: string;
  /** `ok`, `token_fatal` or `unknown` (set by the worker's checks; `unknown` right after a rotation). */
  status: string;
  /** Why Meta traffic is paused because of this token, if it is. */
  pausedReason: string | null;
  /** When the worker last checked the token (ISO), if ever. */
  lastCheckedAt: string | null;
  /** Token expiry (ISO) from debug_token; null when it never expires or is unknown. */
  expiresAt: string | null;
  /** Scopes from debug_token, when known. */
  scopes: string[] | null;
  updatedAt: string | null;
}

export interface TokenStateStore {
  /** The current token state (the most recently updated row), or null before any. */
  latest(): Promise<TokenStateView | null>;
  /** The fingerprint the producer last rotated to (its own record), or null. */
  lastRotatedFingerprint(): Promise<string | null>;
  /** Records that the producer rotated to `fingerprint` (becomes the current token state). */
  recordRotation(fingerprint: string, at: Date): Promise<void>;
}

export interface QueuePauseState {
  queue: string;
  paused: boolean;
  /** Why it is paused (e.g. `token_fatal`), when a pause with a reason covers this queue. */
  reason: string | null;
  detail: string | null;
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
  /** Business use case blocked (`ads_insights`, ...; `*` = the whole account). */
  buc: string;
  until: Date;
}

export interface ThrottleList {
  /** Blocked (account, use case) pairs in total; `accounts` holds at most the requested number. */
  total: number;
  accounts: ThrottledAccount[];
  /** An app-wide block (Meta code 4) in force. */
  app: { until: Date; reason: string } | null;
}

export interface ThrottleReader {
  /** Accounts blocked now, soonest release first, at most `limit`. */
  listThrottled(limit: number): Promise<ThrottleList>;
}
