/**
 * @module
 * The admin JSON API under `/__sandbox/*` (no token needed; bind the sandbox to loopback).
 * Pure request -> response over the state, so it is easy to test and reuse.
 */
import { z } from 'zod';
import { SandboxConfigError } from '../config/normalize.ts';
import { accountIdSchema } from '../config/schema.ts';
import type { SandboxState } from '../state.ts';

export interface AdminResponse {
  status: number;
  body: unknown;
}

export const ADMIN_PREFIX = '/__sandbox';

const tokenRefSchema = z.strictObject({
  token: z.string().min(1),
  subcode: z.union([z.literal(460), z.literal(467)]).optional(),
});
const expireSchema = z.strictObject({ token: z.string().min(1) });
const rotateSchema = z.strictObject({
  value: z.string().min(8).optional(),
  accountIds: z.union([z.literal('all'), z.array(accountIdSchema)]).optional(),
  replaces: z.string().min(1).optional(),
  label: z.string().optional(),
});
const addTokenSchema = z.strictObject({
  value: z.string().min(8),
  state: z.enum(['valid', 'revoked', 'expired']).optional(),
  accountIds: z.union([z.literal('all'), z.array(accountIdSchema)]).optional(),
  label: z.string().optional(),
});
const resetSchema = z.strictObject({
  tokens: z.boolean().optional(),
  accounts: z.boolean().optional(),
  restatements: z.boolean().optional(),
});
const clockSchema = z.strictObject({
  advanceMs: z.number().min(0).optional(),
  advanceMinutes: z.number().min(0).optional(),
  timeScale: z.number().positive().max(1e7).optional(),
});

function error(status: number, message: string): AdminResponse {
  return { status, body: { error: { message } } };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T | AdminResponse {
  const result = schema.safeParse(body ?? {});
  if (!result.success) return error(400, z.prettifyError(result.error));
  return result.data;
}

function isResponse(value: unknown): value is AdminResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

function clockView(state: SandboxState) {
  return { now: new Date(state.now()).toISOString(), timeScale: state.clock.timeScale };
}

const ROUTES: Record<string, string[]> = {
  '/health': ['GET'],
  '/config': ['GET', 'PATCH'],
  '/counters': ['GET'],
  '/reset': ['POST'],
  '/tokens': ['GET', 'POST'],
  '/tokens/revoke': ['POST'],
  '/tokens/expire': ['POST'],
  '/tokens/rotate': ['POST'],
  '/clock': ['GET', 'POST'],
  '/restate': ['GET', 'POST'],
};

/** Handles `method path` (path without the /__sandbox prefix) with a parsed JSON body. */
export function handleAdmin(state: SandboxState, method: string, path: string, body: unknown): AdminResponse {
  const route = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path || '/';
  const methods = ROUTES[route];
  if (!methods) return error(404, `unknown admin endpoint ${ADMIN_PREFIX}${route}`);
  if (!methods.includes(method)) return error(405, `${method} is not supported on ${ADMIN_PREFIX}${route}`);
  try {
    switch (`${method} ${route}`) {
      case 'GET /health':
        return { status: 200, body: { ok: true, url: state.baseUrl, ...clockView(state) } };
      case 'GET /config':
        return { status: 200, body: state.configView() };
      case 'PATCH /config':
        return { status: 200, body: state.patchConfig(body) };
      case 'GET /counters':
        return { status: 200, body: state.countersView() };
      case 'POST /reset': {
        const input = parse(resetSchema, body);
        if (isResponse(input)) return input;
        state.reset(input);
        return { status: 200, body: { ok: true } };
      }
      case 'GET /tokens':
        return { status: 200, body: { tokens: state.tokens.list() } };
      case 'POST /tokens': {
        const input = parse(addTokenSchema, body);
        if (isResponse(input)) return input;
        return { status: 201, body: { token: state.addToken(input) } };
      }
      case 'POST /tokens/revoke': {
        const input = parse(tokenRefSchema, body);
        if (isResponse(input)) return input;
        const token = state.revokeToken(input.token, input.subcode);
        return token ? { status: 200, body: { token } } : error(404, 'token not configured');
      }
      case 'POST /tokens/expire': {
        const input = parse(expireSchema, body);
        if (isResponse(input)) return input;
        const token = state.expireToken(input.token);
        return token ? { status: 200, body: { token } } : error(404, 'token not configured');
      }
      case 'POST /tokens/rotate': {
        const input = parse(rotateSchema, body);
        if (isResponse(input)) return input;
        const rotated = state.rotateToken(input);
        return { status: 201, body: rotated };
      }
      case 'GET /restate':
        return { status: 200, body: { restatements: state.restatements() } };
      case 'POST /restate':
        return { status: 201, body: { restatement: state.restate(body ?? {}) } };
      case 'GET /clock':
        return { status: 200, body: clockView(state) };
      case 'POST /clock': {
        const input = parse(clockSchema, body);
        if (isResponse(input)) return input;
        const advance = (input.advanceMs ?? 0) + (input.advanceMinutes ?? 0) * 60_000;
        if (advance > 0) state.clock.advance(advance);
        if (input.timeScale !== undefined) state.patchConfig({ timeScale: input.timeScale });
        return { status: 200, body: clockView(state) };
      }
    }
  } catch (caught) {
    if (caught instanceof SandboxConfigError) return error(400, caught.message);
    if (caught instanceof Error) return error(400, caught.message);
    throw caught;
  }
  return error(404, `unknown admin endpoint ${ADMIN_PREFIX}${route}`);
}
