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
 * dropped so a malformed element cannot throw deep inside a parser. When every entry is an object
 * (Meta's case) this is the row's own array, not a copy (a row's lists are read several times per
 * job): read it, never change it.
 */
export function rowActions(row: InsightsRow, field: string): ActionEntry[] {
  const value: unknown = row[field];
  if (!Array.isArray(value)) return [];
  const isEntry = (entry: unknown): entry is ActionEntry => typeof entry === 'object' && entry !== null;
  for (const entry of value) if (!isEntry(entry)) return value.filter(isEntry);
  return value as ActionEntry[];
}
