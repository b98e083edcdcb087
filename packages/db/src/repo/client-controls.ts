/**
 * @module repo/client-controls
 * `meta_client_controls`: an operator's pause of one client. A paused client gets no jobs until it is
 * resumed (the producer's fan-out reads `listPausedClientIds` once per run). Kept in the database so the
 * reporting app can show it too.
 */
import { z } from 'zod';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { requireUuid } from './values.ts';

export interface ClientControl {
  clientId: string;
  paused: boolean;
  /** The operator's note. */
  reason: string | null;
  /** Who changed it last (the admin user name). */
  changedBy: string | null;
  pausedAt: string | null;
  resumedAt: string | null;
  updatedAt: string;
}

const controlRow = z.object({
  client_id: z.string(),
  paused: z.boolean(),
  reason: z.string().nullable(),
  changed_by: z.string().nullable(),
  paused_at: z.string().nullable(),
  resumed_at: z.string().nullable(),
  updated_at: z.string(),
});

const COLUMNS = 'client_id,paused,reason,changed_by,paused_at,resumed_at,updated_at';
const MAX_PAUSE_REASON = 500;
const MAX_CHANGED_BY = 200;
const PAGE = 1000;

function toControl(raw: unknown): ClientControl {
  const row = controlRow.parse(raw);
  return {
    clientId: row.client_id,
    paused: row.paused,
    reason: row.reason,
    changedBy: row.changed_by,
    pausedAt: row.paused_at,
    resumedAt: row.resumed_at,
    updatedAt: row.updated_at,
  };
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  if (text.length > max) {
    throw new InvalidRowError(TABLES.clientControls, field, `at most ${max} characters, got ${text.length}`);
  }
  return text === '' ? null : text;
}

export function createClientControlsRepo(ctx: RepoContext) {
  const table = TABLES.clientControls;

  /**
   * Pauses or resumes one client; returns the stored control. Pausing sets `paused_at`, resuming
   * `resumed_at`; the other keeps its value (the last pause stays visible after a resume). An unknown
   * client gives DbError `23503`.
   *
   * @example
   * await repo.setClientPaused({ clientId, paused: true, reason: 'agency contract ended', by: 'operator' });
   */
  async function setClientPaused(input: {
    clientId: string;
    paused: boolean;
    reason?: string | null;
    by?: string | null;
  }): Promise<ClientControl> {
    const now = ctx.now().toISOString();
    const row: Record<string, unknown> = {
      client_id: requireUuid(table, 'client_id', input.clientId),
      paused: input.paused,
      changed_by: optionalText('changed_by', input.by, MAX_CHANGED_BY),
      updated_at: now,
    };
    if (input.paused) {
      row.paused_at = now;
      row.reason = optionalText('reason', input.reason, MAX_PAUSE_REASON);
    } else {
      row.resumed_at = now;
    }
    const data = await run(
      table,
      'upsert',
      ctx.client.from(table).upsert(row, { onConflict: 'client_id' }).select(COLUMNS).single(),
    );
    return toControl(data);
  }

  /** The client's control row, or null when it was never paused. */
  async function getClientControl(clientId: string): Promise<ClientControl | null> {
    const raw = await run(
      table,
      'select',
      ctx.client
        .from(table)
        .select(COLUMNS)
        .eq('client_id', requireUuid(table, 'client_id', clientId))
        .maybeSingle(),
    );
    return raw === null ? null : toControl(raw);
  }

  /** Every paused client's id (keyset-paged past the 1000-row cap; a handful in practice). */
  async function listPausedClientIds(): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      let query = ctx.client
        .from(table)
        .select('client_id')
        .eq('paused', true)
        .order('client_id')
        .limit(PAGE);
      if (after !== undefined) query = query.gt('client_id', after);
      const rows = (await run(table, 'select', query)) as Array<{ client_id: string }>;
      ids.push(...rows.map((r) => r.client_id));
      if (rows.length < PAGE) return ids;
      after = rows[rows.length - 1]!.client_id;
    }
  }

  return { setClientPaused, getClientControl, listPausedClientIds };
}
