/**
 * @module repo/dashboard-config
 * The app's `client_dashboard_config.conversion_mappings` (per-client overrides for conversion parsing).
 */
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { isUuid } from './values.ts';

/** PostgREST/Postgres codes meaning "that table or column is not there" (schema drift, old projects). */
export const MISSING_RELATION_CODES: ReadonlySet<string> = new Set([
  '42P01',
  '42703',
  'PGRST200',
  'PGRST204',
  'PGRST205',
]);

/** The stored `conversion_mappings` when it is a JSON object, else null (the defaults apply). */
export function toConversionMappings(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function createDashboardConfigRepo(ctx: RepoContext) {
  const table = TABLES.dashboardConfig;

  /**
   * The client's conversion mappings (e.g. `{ meta: { reservations: ['omni_purchase'] } }`), or null when
   * the table, the column or the client's row is absent (not an error: the defaults apply).
   *
   * @example
   * const mappings = await repo.getConversionMappings(clientId); // null → default parsing rules
   */
  async function getConversionMappings(clientId: string): Promise<Record<string, unknown> | null> {
    if (!isUuid(clientId)) return null;
    const { data, error, status } = await ctx.client
      .from(table)
      .select('conversion_mappings')
      .eq('client_id', clientId)
      .maybeSingle();
    if (error && MISSING_RELATION_CODES.has(error.code)) return null;
    const row = (await run(table, 'select', Promise.resolve({ data, error, status }))) as {
      conversion_mappings?: unknown;
    } | null;
    return toConversionMappings(row?.conversion_mappings);
  }

  return { getConversionMappings };
}
