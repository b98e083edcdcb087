/**
 * @module
 * `startSandbox`: the HTTP server (node:http, keep-alive) in front of the Graph pipeline and the
 * admin API, with transport faults (latency, hangs, malformed bodies).
 *
 * @example
 * const sandbox = await startSandbox({ seed: 42, timeScale: 3600 });
 * const res = await fetch(`${sandbox.url}/v26.0/me`, { headers: { authorization: `Bearer ${SANDBOX_TOKENS.valid}` } });
 * await sandbox.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ADMIN_PREFIX, handleAdmin } from './admin/admin-api.ts';
import { normalizeConfig } from './config/normalize.ts';
import type {
  AccountPatch,
  FaultConfigInput,
  FaultOverrideInput,
  SandboxConfigInput,
} from './config/schema.ts';
import { invalidParameterError, serverError } from './graph/errors.ts';
import { mergeJsonBody, type Params, parseQueryString } from './graph/params.ts';
import { splitVersion } from './handlers/batch.ts';
import type { GraphRequest, GraphResponse } from './handlers/types.ts';
import { accountForPath, dispatchGraph } from './router.ts';
import { type ConfigView, type CountersView, type RotateTokenInput, SandboxState } from './state.ts';
import type { TokenDescription } from './tokens/token-store.ts';
import type { RestateInput, RestatementView } from './world/restatements.ts';

/** Options of `startSandbox`: the configuration plus a request logger. */
export interface StartSandboxOptions extends SandboxConfigInput {
  /** Called once per request with `METHOD /path -> status (ms)`; query strings (tokens) are never included. */
  log?: (line: string) => void;
}

/** A running sandbox. */
export interface Sandbox {
  /** 'http://127.0.0.1:<port>' */
  url: string;
  port: number;
  /** Live state (configuration, clock, world, tokens, limiters, counters). */
  state: SandboxState;
  close(): Promise<void>;
  getConfig(): ConfigView;
  /** Same as PATCH /__sandbox/config. */
  updateConfig(patch: SandboxPatch): ConfigView;
  /** Merges fault settings into the current ones (`byAccount.<id>: null` removes an override). */
  /** Merges into the current faults (as PATCH /__sandbox/config does). */
  setFaults(faults: FaultsPatch): ConfigView;
  /** Turns every fault off. */
  clearFaults(): ConfigView;
  counters(): CountersView;
  reset(options?: { tokens?: boolean; accounts?: boolean; restatements?: boolean }): void;
  /** Same as POST /__sandbox/restate: changes past days' numbers of an account. */
  restate(input: RestateInput): RestatementView;
  /** Every restatement made so far (GET /__sandbox/restate). */
  restatements(): RestatementView[];
  revokeToken(value: string, subcode?: 460 | 467): TokenDescription | undefined;
  expireToken(value: string): TokenDescription | undefined;
  rotateToken(input?: RotateTokenInput): {
    value: string;
    token: TokenDescription;
    revoked?: TokenDescription;
  };
  addToken(spec: {
    value: string;
    state?: 'valid' | 'revoked' | 'expired';
    accountIds?: 'all' | string[];
    label?: string;
  }): TokenDescription;
  /** Moves the sandbox clock forward. */
  advanceTime(ms: number): void;
  setTimeScale(timeScale: number): void;
  /** Sandbox time. */
  now(): Date;
}

/** A faults patch: merged into the current faults; `byAccount.<id>: null` removes that override. */
export type FaultsPatch = Omit<FaultConfigInput, 'byAccount'> & {
  byAccount?: Record<string, FaultOverrideInput | null>;
};

/** A PATCH document: a partial configuration; `accounts` is keyed by account id. */
export type SandboxPatch = Partial<
  Pick<
    SandboxConfigInput,
    | 'publicUrl'
    | 'timeScale'
    | 'latencyMs'
    | 'rateLimits'
    | 'scoreLimiter'
    | 'appInsightsLoad'
    | 'appBudget'
    | 'appCreatedAfterV27'
    | 'asyncJobs'
    | 'insights'
    | 'exposeTimeScaleHeader'
  >
> & { faults?: FaultsPatch; accounts?: Record<string, AccountPatch> };

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>' +
  "<body><h1>502 Bad Gateway</h1><p>Sorry, something went wrong. We're working on getting this fixed as soon as we can.</p></body></html>";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim());
  return match ? (match[1] ?? '').trim() : null;
}

function toHeaderObject(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) out[name] = value;
  return out;
}

function parseBody(contentType: string, raw: string, params: Params): boolean {
  if (raw.length === 0) return true;
  if (contentType.includes('application/json')) {
    try {
      mergeJsonBody(JSON.parse(raw), params);
      return true;
    } catch {
      return false;
    }
  }
  parseQueryString(raw, params);
  return true;
}

/** Starts a sandbox on `host:port` (default 127.0.0.1, a free port). */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const { log, ...config } = options;
  const state = new SandboxState(normalizeConfig(config));
  const sockets = new Set<Socket>();

  const handleGraph = async (req: IncomingMessage, res: ServerResponse, rawPath: string, query: string) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const params = parseQueryString(query);
    const tokenInQuery = params.has('access_token');
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const raw = await readBody(req);
      if (!parseBody(String(req.headers['content-type'] ?? ''), raw, params)) {
        const bad = invalidParameterError('The request body is not valid JSON');
        send(
          res,
          bad.status,
          { 'content-type': 'application/json; charset=UTF-8' },
          JSON.stringify({ error: { ...bad.error, fbtrace_id: state.nextTraceId() } }),
        );
        return;
      }
    }
    let decodedPath: string;
    try {
      decodedPath = decodeURIComponent(rawPath);
    } catch {
      decodedPath = rawPath;
    }
    const { version, path } = splitVersion(decodedPath, state.settings.apiVersion);
    const graphReq: GraphRequest = {
      method: method === 'POST' ? 'POST' : method === 'DELETE' ? 'DELETE' : 'GET',
      path,
      version,
      params,
      token: bearerToken(req.headers.authorization) ?? params.get('access_token') ?? null,
      tokenInQuery,
      inBatch: false,
    };
    const accountId = accountForPath(state, path);
    const plan = state.faults.transport(state.faultsFor(accountId), accountId);
    if (plan.hang) {
      state.counters.app.hangs++;
      log?.(`${method} ${rawPath} -> (hang)`);
      return;
    }
    let response: GraphResponse;
    try {
      response = dispatchGraph(state, graphReq);
    } catch (caught) {
      const failure = serverError(500);
      response = {
        status: 500,
        headers: [['content-type', 'application/json; charset=UTF-8']],
        body: JSON.stringify({ error: { ...failure.error, fbtrace_id: state.nextTraceId() } }),
        accountId,
      };
      log?.(`${method} ${rawPath} -> internal error: ${caught instanceof Error ? caught.name : 'unknown'}`);
    }
    let status = response.status;
    let headers = toHeaderObject(response.headers);
    let body = response.body;
    if (plan.malformed === 'truncated') {
      state.counters.app.malformed++;
      body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    } else if (plan.malformed === 'html') {
      state.counters.app.malformed++;
      status = 502;
      headers = { 'content-type': 'text/html; charset=utf-8' };
      body = HTML_ERROR_PAGE;
    }
    state.counters.status(status);
    const write = () => {
      send(res, status, headers, body);
      log?.(`${method} ${rawPath} -> ${status} (${Math.round(performance.now() - started)} ms)`);
    };
    if (plan.latencyMs > 0) setTimeout(write, plan.latencyMs);
    else write();
  };

  const handleAdminRequest = async (req: IncomingMessage, res: ServerResponse, rawPath: string) => {
    const method = (req.method ?? 'GET').toUpperCase();
    let body: unknown;
    if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
      const raw = await readBody(req);
      if (raw.trim().length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          send(
            res,
            400,
            { 'content-type': 'application/json' },
            JSON.stringify({ error: { message: 'body must be JSON' } }),
          );
          return;
        }
      }
    }
    const result = handleAdmin(state, method, rawPath.slice(ADMIN_PREFIX.length), body);
    send(res, result.status, { 'content-type': 'application/json' }, JSON.stringify(result.body));
    log?.(`${method} ${rawPath} -> ${result.status}`);
  };

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: 65_000, requestTimeout: 0 },
    (req, res) => {
      const url = req.url ?? '/';
      const question = url.indexOf('?');
      const rawPath = question === -1 ? url : url.slice(0, question);
      const query = question === -1 ? '' : url.slice(question + 1);
      const handler =
        rawPath === ADMIN_PREFIX || rawPath.startsWith(`${ADMIN_PREFIX}/`)
          ? handleAdminRequest(req, res, rawPath)
          : handleGraph(req, res, rawPath, query);
      handler.catch(() => {
        if (!res.headersSent)
          send(res, 400, { 'content-type': 'application/json' }, '{"error":{"message":"bad request"}}');
        else res.destroy();
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const { host, port } = state.settings;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  state.baseUrl = url;

  let closed: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    state,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
    getConfig: () => state.configView(),
    updateConfig: (patch) => state.patchConfig(patch),
    setFaults: (faults) => state.patchConfig({ faults }),
    clearFaults: () => state.clearFaults(),
    counters: () => state.countersView(),
    reset: (resetOptions) => state.reset(resetOptions),
    restate: (input) => state.restate(input),
    restatements: () => state.restatements(),
    revokeToken: (value, subcode) => state.revokeToken(value, subcode),
    expireToken: (value) => state.expireToken(value),
    rotateToken: (input) => state.rotateToken(input),
    addToken: (spec) => state.addToken(spec),
    advanceTime: (ms) => state.clock.advance(ms),
    setTimeScale: (timeScale) => {
      state.patchConfig({ timeScale });
    },
    now: () => new Date(state.now()),
  };
}
