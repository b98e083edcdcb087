import type { SupabaseClient } from '@supabase/supabase-js';
import { type DbOperation, type PostgrestErrorLike, toDbError } from '../errors/db-error.ts';
import type { JsonRpc } from './json-rpc.ts';
import type { WriteBatchSettings } from './write-batcher.ts';

/** What every repository module gets: the service-role client and the bulk-write settings. */
export interface RepoContext {
  client: SupabaseClient;
  /** An RPC with a body already serialised (json-rpc.ts): the largest writes. */
  rpc: JsonRpc;
  /** Rows per request in bulk upserts. */
  chunkSize: number;
  /** Bulk-upsert requests in flight at once. */
  concurrency: number;
  /** Clock, injectable for tests. */
  now: () => Date;
  /** Coalescing of small concurrent writes (validations, sync successes) into one request. */
  writeBatch: WriteBatchSettings;
}

/** The parts of a supabase-js response the repository reads. */
export interface DbResponse {
  data: unknown;
  error: PostgrestErrorLike | null;
  status: number;
}

/** Awaits a supabase-js query; returns its data or throws a DbError naming table and operation. */
export async function run(
  table: string,
  operation: DbOperation,
  query: PromiseLike<DbResponse>,
): Promise<unknown> {
  const { data, error, status } = await query;
  if (error) throw toDbError(table, operation, error, status);
  return data;
}
