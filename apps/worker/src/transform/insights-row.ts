/**
 * @module
 * The shape of one Meta insights row as this folder reads it (`reference/meta-graph-api.md` §3.1):
 * scalar metrics arrive as strings (`"spend": "123.45"`), action lists as arrays of
 * `{ action_type, value }` with string values, and any field may be missing.
 *
 * Defined here rather than imported so the transforms stay free of workspace dependencies.
 */

/** One element of `actions`, `action_values`, `conversions`, `cost_per_action_type`, ... */
export interface ActionEntry {
  action_type: string;
  value: string;
}

/** A raw insights row: string metrics, action arrays, and the requested id/breakdown columns. */
export type InsightsRow = Record<string, string | ActionEntry[] | undefined>;

/** The field as a string, or `undefined` when it is missing or is an action list. */
export function rowString(row: InsightsRow, field: string): string | undefined {
  const value = row[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The field as an action list; `[]` when missing or scalar. Entries that are not objects are
 * dropped so a malformed element cannot throw deep inside a parser.
 */
export function rowActions(row: InsightsRow, field: string): ActionEntry[] {
  const value = row[field];
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is ActionEntry => typeof entry === 'object' && entry !== null);
}
