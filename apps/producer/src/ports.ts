/**
 * @module ports
 * The narrow interfaces the producer needs from `packages/db` and `packages/queue`. The rest of the
 * producer depends only on these; `adapters/` implements them on top of the real packages, so a change in
 * a package touches one adapter file. Tests may pass in-memory implementations.
 */
import type { ClientControl, ClientOverview } from '@meta-engine/db';
import type { ClientTask } from '@meta-engine/queue';

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
  pageEligibleClients(task: ClientTask, afterId: string | null, limit: number): Promise<ClientPage>;
  /**
   * The clients among `ids`, whatever their status; `unusable` the ones no job can be built for (no ad
   * account: empty or NULL); `unknownIds` lists ids with no such client.
   */
  getClientsByIds(
    ids: readonly string[],
  ): Promise<{ clients: ClientRef[]; unusable: UnusableClient[]; unknownIds: string[] }>;
  /**
   * Notes in each client's sync state (`last_error` category `rejected`) that `runId` of `task` left it
   * out and why, so the app and the console see it without Redis. Best effort for the caller.
   */
  recordLeftOut(task: ClientTask, runId: string, clients: readonly UnusableClient[]): Promise<void>;
  /** Ids of the clients an operator paused: they get no jobs until resumed (read once per run). */
  pausedClientIds(): Promise<ReadonlySet<string>>;
  /**
   * The ad account time zone of each client, from its newest validation that reported one (null when
   * none did): the local-midnight schedule runs each client after its own midnight. One request per page.
   * Only the local-midnight tick calls it (directories used for plain fan-outs may leave it out).
   */
  timeZones?(ids: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
}

/** Everything the console knows about one client from the database (the db package's overview). */
export type ClientFacts = ClientOverview;
export type { ClientControl };

/** The console's reads and the pause control, on the database. */
export interface ClientConsoleStore {
  /** Every client with an ad account, ordered by id (one request per 1,000 clients). */
  listFacts(): Promise<ClientFacts[]>;
  /** One client, or null when there is no such client with an ad account. */
  getFacts(clientId: string): Promise<ClientFacts | null>;
  /** The client's newest validation checks, newest first. */
  recentValidations(clientId: string, limit: number): Promise<Record<string, unknown>[]>;
  setPaused(input: {
    clientId: string;
    paused: boolean;
    reason?: string | null;
    by?: string | null;
  }): Promise<ClientControl>;
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
  /** Token type from debug_token (`SYSTEM_USER`, `USER`, ...), when known. */
  type: string | null;
  updatedAt: string | null;
}

export interface TokenStateStore {
  /** The current token state (the most recently updated row), or null before any. */
  latest(): Promise<TokenStateView | null>;
  /** The fingerprint the producer last rotated to (its own record), or null. */
  lastRotatedFingerprint(): Promise<string | null>;
  /** The producer's last rotation: fingerprint and when (ISO), or null before any. */
  lastRotation(): Promise<{ fingerprint: string; at: string | null } | null>;
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
  /** Accounts blocked now, soonest release first, at most `limit` (one Redis call). */
  listThrottled(limit: number): Promise<ThrottleList>;
}

/** One ad account's limiter state, for the client page. */
export interface AccountThrottleState {
  /** Per business use case (`*` = the whole account). */
  bucs: Array<{
    buc: string;
    utilizationPct: number | null;
    /** Slowdown factor in force (1 = none). */
    factor: number;
    blockedUntil: Date | null;
    reason: string | null;
  }>;
  activeLeases: number;
}

/** The limiter's operator actions (the queue package's public API). */
export interface LimiterControl {
  accountState(adAccountId: string): Promise<AccountThrottleState>;
  /** Lifts every block of the account (slowdowns stay). */
  clearAccountBlocks(adAccountId: string): Promise<void>;
  /** Lifts the app-wide block. */
  clearAppBlock(): Promise<void>;
}
