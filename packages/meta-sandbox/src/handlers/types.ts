/**
 * @module
 * Shapes shared by the request pipeline and the endpoint handlers.
 */
import type { EffectiveFaults } from '../faults/fault-engine.ts';
import type { GraphError } from '../graph/errors.ts';
import type { Params } from '../graph/params.ts';
import type { SandboxState } from '../state.ts';
import type { TokenRecord } from '../tokens/token-store.ts';

/** One Graph call, from HTTP or from a batch item. */
export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path without the version prefix: '/act_1/insights'. */
  path: string;
  /** 'v26.0' (the default version when the request had no prefix). */
  version: string;
  params: Params;
  token: string | null;
  /** Whether the token came as `access_token` in the query (it then stays in paging links). */
  tokenInQuery: boolean;
  inBatch: boolean;
}

/** A finished Graph response. Header names are lower case. */
export interface GraphResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
  /** The ad account the call was about (fault targeting, logs). */
  accountId: string | null;
}

export interface HandlerOk {
  kind: 'ok';
  body: unknown;
  status?: number;
}

export type HandlerResult = HandlerOk | GraphError;

export interface CallContext {
  state: SandboxState;
  req: GraphRequest;
  token: TokenRecord;
  now: number;
  faults: EffectiveFaults;
  /** The app-wide budget refused this call (it is answered with code 4). */
  appThrottled: boolean;
}

export function ok(body: unknown, status = 200): HandlerOk {
  return { kind: 'ok', body, status };
}

/** Link base for paging: origin + version + path. */
export function linkBase(ctx: CallContext): string {
  return `${ctx.state.linkOrigin()}/${ctx.req.version}${ctx.req.path}`;
}
