/**
 * @module repo/token-state
 * `meta_token_state`: one row per token fingerprint (never the token): the last debug_token result,
 * when it was checked, and whether Meta traffic is paused because of it (`token_fatal`).
 */
import { z } from 'zod';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { quote } from './values.ts';

export const TOKEN_STATUSES = ['ok', 'token_fatal', 'unknown'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** The parts of Meta's `debug_token` data worth keeping (extra keys are kept too). */
export interface DebugTokenInfo {
  type?: string;
  app_id?: string;
  /** Unix seconds; 0 = never expires (system user tokens). */
  expires_at?: number;
  is_valid?: boolean;
  scopes?: string[];
  [key: string]: unknown;
}

export interface TokenState {
  fingerprint: string;
  status: TokenStatus;
  pausedReason: string | null;
  debugToken: DebugTokenInfo | null;
  lastCheckedAt: string | null;
  updatedAt: string;
}

const tokenRow = z.object({
  fingerprint: z.string(),
  status: z.enum(TOKEN_STATUSES),
  paused_reason: z.string().nullable(),
  debug_token: z.record(z.string(), z.unknown()).nullable(),
  last_checked_at: z.string().nullable(),
  updated_at: z.string(),
});

const FINGERPRINT = /^[A-Za-z0-9_:.-]{8,128}$/;
const COLUMNS = 'fingerprint,status,paused_reason,debug_token,last_checked_at,updated_at';

function requireFingerprint(value: unknown): string {
  if (typeof value !== 'string' || !FINGERPRINT.test(value) || value.startsWith('EAA')) {
    throw new InvalidRowError(
      TABLES.tokenState,
      'fingerprint',
      `expected 8-128 characters [A-Za-z0-9_:.-] that are not a token, got ${typeof value === 'string' ? `${value.length} characters` : quote(value)}`,
    );
  }
  return value;
}

export function createTokenStateRepo(ctx: RepoContext) {
  const table = TABLES.tokenState;

  /** The row for `fingerprint`, or (without one) the most recently updated row, or null. */
  async function getTokenState(fingerprint?: string): Promise<TokenState | null> {
    let query = ctx.client.from(table).select(COLUMNS);
    if (fingerprint !== undefined) query = query.eq('fingerprint', requireFingerprint(fingerprint));
    const raw = await run(
      table,
      'select',
      query.order('updated_at', { ascending: false }).limit(1).maybeSingle(),
    );
    if (raw === null) return null;
    const row = tokenRow.parse(raw);
    return {
      fingerprint: row.fingerprint,
      status: row.status,
      pausedReason: row.paused_reason,
      debugToken: row.debug_token as DebugTokenInfo | null,
      lastCheckedAt: row.last_checked_at,
      updatedAt: row.updated_at,
    };
  }

  /**
   * Upserts the token's state: status, paused reason (cleared when omitted), last_checked_at = now;
   * `debugToken` replaces the stored result when given and is kept otherwise.
   *
   * @example
   * await repo.saveTokenState({ fingerprint, status: 'token_fatal', pausedReason: 'code 190: token revoked' });
   */
  async function saveTokenState(input: {
    fingerprint: string;
    status: TokenStatus;
    debugToken?: DebugTokenInfo;
    pausedReason?: string | null;
  }): Promise<void> {
    if (!(TOKEN_STATUSES as readonly string[]).includes(input.status)) {
      throw new InvalidRowError(
        table,
        'status',
        `expected one of ${TOKEN_STATUSES.join(', ')}, got ${quote(input.status)}`,
      );
    }
    const now = ctx.now().toISOString();
    const row: Record<string, unknown> = {
      fingerprint: requireFingerprint(input.fingerprint),
      status: input.status,
      paused_reason: input.pausedReason ?? null,
      last_checked_at: now,
      updated_at: now,
    };
    if (input.debugToken !== undefined) row.debug_token = input.debugToken;
    await run(table, 'upsert', ctx.client.from(table).upsert(row, { onConflict: 'fingerprint' }));
  }

  return { getTokenState, saveTokenState };
}
