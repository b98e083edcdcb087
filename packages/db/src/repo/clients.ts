/**
 * @module repo/clients
 * Reads `clients`: the eligible clients for a task (keyset-paged past PostgREST's 1000-row cap, ordered
 * by id), clients by id, one client. Token columns are never selected: this system's token comes from
 * its environment. A row whose ad_account_id is malformed is reported in `invalid` with the reason,
 * never dropped silently and never fatal to the listing.
 */

import { z } from 'zod';
import { type RepoContext, run } from './context.ts';
import { storedAdAccountId } from './stored-ad-account-id.ts';
import { TABLES } from './tables.ts';
import { isUuid } from './values.ts';

/** Values of the app's `api_status` enum: `valid` is the app's "include in jobs" flag. */
export const API_STATUSES = ['valid', 'invalid', 'expired', 'pending'] as const;
export type ApiStatus = (typeof API_STATUSES)[number];

/** PostgREST's usual max-rows on Supabase; also the default page size. */
export const MAX_PAGE_SIZE = 1000;

/** The columns `toClient` reads. */
export const CLIENT_COLUMNS =
  'id,name,email,ad_account_id,api_status,token_health_status,last_token_validation,token_expires_at';

const clientRow = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  ad_account_id: z.string().nullable(),
  api_status: z.enum(API_STATUSES),
  token_health_status: z.string().nullable(),
  last_token_validation: z.string().nullable(),
  token_expires_at: z.string().nullable(),
});

/** A `clients` row as stored (token columns left out). */
export interface ClientRecord {
  id: string;
  name: string;
  email: string | null;
  /** `clients.ad_account_id` exactly as stored (may carry `act_`, spaces, or be malformed). */
  rawAdAccountId: string;
  apiStatus: ApiStatus;
  /** `'unknown' | 'valid' | 'expiring_soon' | 'expired' | 'invalid'` in the app; text in the schema. */
  tokenHealthStatus: string | null;
  lastTokenValidation: string | null;
  tokenExpiresAt: string | null;
}

/** A client whose ad account id parsed. */
export interface Client extends ClientRecord {
  /** Bare numeric ad account id (`act_` stripped, trimmed). */
  adAccountId: string;
}

/** A row that cannot be worked on, with the reason (e.g. a malformed ad_account_id). */
export interface InvalidClient {
  client: ClientRecord | { id: string };
  problem: string;
}

export interface ClientPage {
  clients: Client[];
  invalid: InvalidClient[];
  /** Id of the last row of this page: pass it as `afterId` to resume after it. */
  lastId: string;
}

export interface ListClientsOptions {
  /** Rows per request, 1..1000 (default 1000). */
  pageSize?: number;
  /** Start after this client id (keyset paging; default: from the first). */
  afterId?: string;
  /**
   * `api_status` values to include. Default `['valid']`, the app's job filter; add `'pending'` for new
   * clients, or use every status (`API_STATUSES`) for validation so excluded clients get re-checked.
   */
  statuses?: readonly ApiStatus[];
  /**
   * Also list clients whose `ad_account_id` is empty or NULL (Google-only clients), in `invalid` with the
   * reason, so a run can count and name them instead of dropping them unseen (default false).
   */
  withoutAdAccount?: boolean;
}

export interface ClientsByIds {
  clients: Client[];
  invalid: InvalidClient[];
  /** Requested ids that are not uuids or have no row. */
  unknownIds: string[];
}

/** Splits a raw row into a usable client or a reported problem. */
export function toClient(raw: unknown): Client | InvalidClient {
  const parsed = clientRow.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null ? String((raw as { id?: unknown }).id) : String(raw);
    return {
      client: { id },
      problem: `unexpected row shape: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
    };
  }
  const row = parsed.data;
  const record: ClientRecord = {
    id: row.id,
    name: row.name ?? '',
    email: row.email,
    rawAdAccountId: row.ad_account_id ?? '',
    apiStatus: row.api_status,
    tokenHealthStatus: row.token_health_status,
    lastTokenValidation: row.last_token_validation,
    tokenExpiresAt: row.token_expires_at,
  };
  if (record.rawAdAccountId.trim() === '') {
    const stored = row.ad_account_id === null ? 'NULL' : 'empty';
    return { client: record, problem: `no Meta ad account (clients.ad_account_id is ${stored})` };
  }
  try {
    return { ...record, adAccountId: storedAdAccountId(record.rawAdAccountId) };
  } catch (error) {
    return { client: record, problem: (error as Error).message };
  }
}

export function isInvalidClient(value: Client | InvalidClient): value is InvalidClient {
  return 'problem' in value;
}

export function createClientsRepo(ctx: RepoContext) {
  const table = TABLES.clients;

  /**
   * Pages of eligible clients (`api_status` in `statuses`, non-empty `ad_account_id` unless
   * `withoutAdAccount`), ordered by id,
   * every client exactly once. Keyset paging (`id > last`) rather than offsets, so the listing is
   * stable while rows are added and goes past the server's row cap; it ends on an empty page.
   *
   * @example
   * for await (const page of repo.listEligibleClients({ statuses: ['valid', 'pending'] })) {
   *   for (const client of page.clients) enqueue(client.id, client.adAccountId);
   *   for (const bad of page.invalid) log.warn(bad.problem, { clientId: bad.client.id });
   * }
   */
  async function* listEligibleClients(options: ListClientsOptions = {}): AsyncGenerator<ClientPage> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
    const statuses = options.statuses ?? ['valid'];
    let after = options.afterId;
    while (true) {
      let query = ctx.client
        .from(table)
        .select(CLIENT_COLUMNS)
        .in('api_status', [...statuses])
        .order('id', { ascending: true })
        .limit(pageSize);
      if (!options.withoutAdAccount) query = query.neq('ad_account_id', '');
      if (after !== undefined) query = query.gt('id', after);
      const rows = (await run(table, 'select', query)) as unknown[];
      if (rows.length === 0) return;
      const page: ClientPage = { clients: [], invalid: [], lastId: '' };
      for (const raw of rows) {
        const result = toClient(raw);
        if (isInvalidClient(result)) page.invalid.push(result);
        else page.clients.push(result);
      }
      page.lastId = String((rows[rows.length - 1] as { id: unknown }).id);
      after = page.lastId;
      yield page;
    }
  }

  /** Every eligible client in one result (the pages of `listEligibleClients` joined). */
  async function collectEligibleClients(
    options: ListClientsOptions = {},
  ): Promise<{ clients: Client[]; invalid: InvalidClient[] }> {
    const all = { clients: [] as Client[], invalid: [] as InvalidClient[] };
    for await (const page of listEligibleClients(options)) {
      all.clients.push(...page.clients);
      all.invalid.push(...page.invalid);
    }
    return all;
  }

  /**
   * The clients with these ids, whatever their api_status (on-demand runs). Ids that are not uuids or
   * have no row come back in `unknownIds`; malformed ad account ids in `invalid`.
   *
   * @example
   * const { clients, unknownIds } = await repo.getClientsByIds(['9b2…', 'nope']);
   */
  async function getClientsByIds(ids: readonly string[]): Promise<ClientsByIds> {
    const wanted = [...new Set(ids)];
    const result: ClientsByIds = { clients: [], invalid: [], unknownIds: wanted.filter((id) => !isUuid(id)) };
    const valid = wanted.filter(isUuid);
    const found = new Set<string>();
    // 100 uuids keep the URL (`id=in.(…)`) well under common 8 KB limits.
    for (let i = 0; i < valid.length; i += 100) {
      const query = ctx.client
        .from(table)
        .select(CLIENT_COLUMNS)
        .in('id', valid.slice(i, i + 100))
        .order('id');
      for (const raw of (await run(table, 'select', query)) as unknown[]) {
        const entry = toClient(raw);
        found.add(isInvalidClient(entry) ? entry.client.id : entry.id);
        if (isInvalidClient(entry)) result.invalid.push(entry);
        else result.clients.push(entry);
      }
    }
    result.unknownIds.push(...valid.filter((id) => !found.has(id.toLowerCase()) && !found.has(id)));
    return result;
  }

  /**
   * One client: a `Client`, an `InvalidClient` (check with `isInvalidClient`) or null when there is no
   * such row (or `id` is not a uuid).
   */
  async function getClient(id: string): Promise<Client | InvalidClient | null> {
    if (!isUuid(id)) return null;
    const query = ctx.client.from(table).select(CLIENT_COLUMNS).eq('id', id).maybeSingle();
    const raw = await run(table, 'select', query);
    return raw === null ? null : toClient(raw);
  }

  return { listEligibleClients, collectEligibleClients, getClientsByIds, getClient };
}
