import { InvalidRowError } from '../errors/invalid-row-error.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function requireUuid(table: string, field: string, value: unknown, index?: number): string {
  if (!isUuid(value))
    throw new InvalidRowError(table, field, `expected a uuid, got ${quote(value)}`, { index });
  return value.toLowerCase();
}

/** `YYYY-MM-DD` (calendar validity is left to Postgres). */
export function requireDate(table: string, field: string, value: unknown, index?: number): string {
  if (typeof value !== 'string' || !DATE.test(value)) {
    throw new InvalidRowError(table, field, `expected YYYY-MM-DD, got ${quote(value)}`, { index });
  }
  return value;
}

/** A finite number (numeric columns). */
export function requireNumber(table: string, field: string, value: unknown, index?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidRowError(table, field, `expected a finite number, got ${quote(value)}`, { index });
  }
  return value;
}

/** A finite number rounded to an integer (BIGINT columns reject 12.5). */
export function requireInteger(table: string, field: string, value: unknown, index?: number): number {
  return Math.round(requireNumber(table, field, value, index));
}

export function optionalNumber(table: string, field: string, value: unknown, index?: number): number | null {
  return value === undefined || value === null ? null : requireNumber(table, field, value, index);
}

export function optionalInteger(table: string, field: string, value: unknown, index?: number): number | null {
  return value === undefined || value === null ? null : requireInteger(table, field, value, index);
}

export function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 70 ? `${text.slice(0, 70)}…` : text;
}
