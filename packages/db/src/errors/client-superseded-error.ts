/**
 * @module client-superseded-error
 * A job's write was refused because the client it was made for changed while the job waited (issue
 * 12.1): the client no longer has the job's ad account, is paused by an operator, or no longer exists.
 * Nothing was written. Not a failure: the job ends as `superseded`, and the next job serves the client as
 * it is now.
 */

/** Why the client no longer takes the job's results. */
export type SupersededReason = 'client_gone' | 'account_changed' | 'paused';

export const SUPERSEDED_REASONS: readonly SupersededReason[] = ['client_gone', 'account_changed', 'paused'];

export class ClientSupersededError extends Error {
  override readonly name = 'ClientSupersededError' as const;
  readonly clientId: string;
  /** The ad account the job served. */
  readonly adAccountId: string;
  /** `clients.ad_account_id` now, as stored (null when empty or the client is gone). */
  readonly currentAdAccountId: string | null;
  readonly reason: SupersededReason;
  readonly task: string;

  constructor(options: {
    clientId: string;
    adAccountId: string;
    currentAdAccountId: string | null;
    reason: SupersededReason;
    task: string;
  }) {
    const current = options.currentAdAccountId?.trim() || null;
    const why =
      options.reason === 'client_gone'
        ? `client ${options.clientId} no longer exists`
        : options.reason === 'paused'
          ? `client ${options.clientId} is paused by an operator`
          : `client ${options.clientId} no longer has ad account ${options.adAccountId} (it now has ${current === null ? 'none' : JSON.stringify(current)})`;
    super(`${why}: nothing written for ${options.task}`);
    this.clientId = options.clientId;
    this.adAccountId = options.adAccountId;
    this.currentAdAccountId = current;
    this.reason = options.reason;
    this.task = options.task;
  }
}

/** Matches by `name` too, so the check survives duplicate copies of this module. */
export function isClientSupersededError(error: unknown): error is ClientSupersededError {
  return (
    error instanceof ClientSupersededError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'ClientSupersededError')
  );
}
