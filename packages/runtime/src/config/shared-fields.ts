/**
 * @module shared-fields
 * Variables the producer and the worker both read, declared once so they mean the same thing in both:
 * the Supabase project and the shared Meta token (fixed, or a file re-read when it changes).
 *
 * @example
 * const schema = z.object({ ...REDIS_FIELDS, ...SUPABASE_FIELDS, ...TOKEN_FIELDS, OTHER: field.text() });
 */
import { field } from './field.ts';

const TOKEN = { minLength: 8, hint: 'the system-user access token' };

export const SUPABASE_FIELDS = {
  SUPABASE_URL: field.url({
    protocols: ['http:', 'https:'],
    hint: 'the http(s):// URL of the Supabase project',
  }),
  SUPABASE_SERVICE_ROLE_KEY: field.secret({
    minLength: 20,
    hint: 'the service-role key of the Supabase project',
  }),
};

/** `META_ACCESS_TOKEN` or `META_ACCESS_TOKEN_FILE` (each app's rule requires exactly one). */
export const TOKEN_FIELDS = {
  META_ACCESS_TOKEN: field.secret(TOKEN).optional(),
  META_ACCESS_TOKEN_FILE: field.secretFile(TOKEN).optional(),
};
