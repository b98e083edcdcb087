/**
 * @module adapters/db
 * The producer's ports on top of `@meta-engine/db`'s repository.
 *
 * Eligibility per task (ELIGIBLE_STATUSES): validation covers every client with an ad account whatever
 * its `api_status`, so clients excluded earlier get re-checked; every task that reads insights (cache
 * refresh, insights collection, summaries, drift check) covers `valid` clients only, the app's own job
 * filter. Clients whose ad account id is malformed are
 * still enqueued (with the stored value): the worker records why, the producer does not hide them.
 * Clients with no ad account at all (empty or NULL `ad_account_id`) are listed as unusable, so every run
 * counts and names them (issue 12.5), and `recordLeftOut` notes it in their sync state.
 */
import { API_STATUSES, type ApiStatus, type Repository } from '@meta-engine/db';
import type { ClientTask, RedisClient } from '@meta-engine/queue';
import type {
  ClientConsoleStore,
  ClientDirectory,
  ClientPage,
  ClientRef,
  TokenStateStore,
  TokenStateView,
} from '../ports.ts';

export const ELIGIBLE_STATUSES: Record<ClientTask, readonly ApiStatus[]> = {
  validate: API_STATUSES,
  'refresh-cache': ['valid'],
  'collect-insights': ['valid'],
  summaries: ['valid'],
  'drift-check': ['valid'],
};

type RepoEntry = Awaited<ReturnType<Repository['getClientsByIds']>>;
type InvalidEntry = RepoEntry['invalid'][number];

/** A malformed-but-present ad account id becomes a ClientRef with the raw value; a broken row does not. */
function fromInvalid(entry: InvalidEntry): ClientRef | undefined {
  const raw = 'rawAdAccountId' in entry.client ? entry.client.rawAdAccountId : '';
  return raw.trim() ? { id: entry.client.id, adAccountId: raw.trim() } : undefined;
}

export function clientDirectoryFrom(repo: Repository): ClientDirectory {
  return {
    async pageEligibleClients(task, afterId, limit): Promise<ClientPage> {
      const pages = repo.listEligibleClients({
        pageSize: limit,
        statuses: ELIGIBLE_STATUSES[task],
        withoutAdAccount: true,
        ...(afterId === null ? {} : { afterId }),
      });
      const first = await pages.next();
      await pages.return(undefined);
      if (first.done) return { clients: [], unusable: [], lastId: null, rows: 0 };
      const page = first.value;
      const clients: ClientRef[] = page.clients.map((c) => ({ id: c.id, adAccountId: c.adAccountId }));
      const unusable: ClientPage['unusable'] = [];
      for (const entry of page.invalid) {
        const ref = fromInvalid(entry);
        if (ref) clients.push(ref);
        else unusable.push({ clientId: entry.client.id, problem: entry.problem });
      }
      clients.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { clients, unusable, lastId: page.lastId, rows: page.clients.length + page.invalid.length };
    },
    async getClientsByIds(ids) {
      const result = await repo.getClientsByIds(ids);
      const clients: ClientRef[] = result.clients.map((c) => ({ id: c.id, adAccountId: c.adAccountId }));
      const unusable: ClientPage['unusable'] = [];
      for (const entry of result.invalid) {
        const ref = fromInvalid(entry);
        if (ref) clients.push(ref);
        else unusable.push({ clientId: entry.client.id, problem: entry.problem });
      }
      return { clients, unusable, unknownIds: [...result.unknownIds] };
    },
    async recordLeftOut(task, runId, left) {
      if (left.length === 0) return;
      await repo.recordSyncFailures(
        left.map(({ clientId, problem }) => ({
          clientId,
          task,
          runId,
          error: { category: 'rejected', message: `left out of run ${runId}: ${problem}` },
        })),
      );
    },
    async pausedClientIds() {
      return new Set(await repo.listPausedClientIds());
    },
    timeZones: (ids) => repo.getClientTimeZones(ids),
    async ping() {
      await repo.ping({ timeoutMs: 2000 });
    },
  };
}

/** The console's reads (one overview request per 1,000 clients) and the pause control. */
export function clientConsoleStoreFrom(repo: Repository): ClientConsoleStore {
  return {
    listFacts: () => repo.collectClientOverviews(),
    getFacts: (clientId) => repo.getClientOverview(clientId),
    recentValidations: (clientId, limit) => repo.listValidations(clientId, limit),
    setPaused: (input) => repo.setClientPaused(input),
  };
}

/**
 * Token state: the database's `meta_token_state` (latest row = current token), plus the producer's own
 * record of the fingerprint it last rotated to, in Redis (`<controlPrefix>:rotation`). The worker also
 * writes token-state rows (after debug_token), possibly for a new token before the producer saw it; the
 * producer's own record is what tells "this token was already rotated to" apart from "the worker noticed it".
 */
export function tokenStateStoreFrom(
  repo: Repository,
  redis: RedisClient,
  controlKeyPrefix: string,
): TokenStateStore {
  const rotationKey = `${controlKeyPrefix}:rotation`;
  return {
    async latest(): Promise<TokenStateView | null> {
      const state = await repo.getTokenState();
      if (!state) return null;
      const debug = state.debugToken;
      const expiresAt =
        typeof debug?.expires_at === 'number' && debug.expires_at > 0
          ? new Date(debug.expires_at * 1000).toISOString()
          : null;
      return {
        fingerprint: state.fingerprint,
        status: state.status,
        pausedReason: state.pausedReason,
        lastCheckedAt: state.lastCheckedAt,
        expiresAt,
        scopes: Array.isArray(debug?.scopes) ? debug.scopes.map(String) : null,
        type: typeof debug?.type === 'string' ? debug.type : null,
        updatedAt: state.updatedAt,
      };
    },
    async lastRotatedFingerprint() {
      return (await redis.hget(rotationKey, 'fingerprint')) ?? null;
    },
    async lastRotation() {
      const [fingerprint, at] = await redis.hmget(rotationKey, 'fingerprint', 'at');
      return fingerprint ? { fingerprint, at: at ?? null } : null;
    },
    async recordRotation(fingerprint, at) {
      const existing = await repo.getTokenState(fingerprint);
      // A row the worker already wrote for this token keeps its status; a token-fatal mark is cleared,
      // since the operator rotated (explicitly or with a new token) to get past it.
      const status = existing && existing.status !== 'token_fatal' ? existing.status : 'unknown';
      await repo.saveTokenState({ fingerprint, status, pausedReason: null });
      await redis.hset(rotationKey, { fingerprint, at: at.toISOString() });
    },
  };
}
