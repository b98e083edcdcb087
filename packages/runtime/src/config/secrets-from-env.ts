/**
 * @module secrets-from-env
 * The one list of what a process must never print: every process of the engine scrubs the same set from
 * its logs and error messages, whatever part of the configuration it reads itself (the worker also hides
 * ADMIN_PASSWORD when `pnpm start` gives both processes one environment).
 */
import { type Env, normalizeEnv } from './parse-env.ts';

/** Variables whose whole value is secret. */
export const SECRET_VARIABLES = [
  'META_ACCESS_TOKEN',
  'META_APP_SECRET',
  'SUPABASE_SERVICE_ROLE_KEY',
  'ADMIN_PASSWORD',
  'TOKEN_FINGERPRINT_KEY',
] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

/** Variables holding a URL whose password is secret. */
export const CREDENTIAL_URL_VARIABLES = ['REDIS_URL', 'DATABASE_URL'] as const;

/** Shorter values would scrub ordinary words; every real key, token or password is longer. */
const MIN_SECRET_LENGTH = 8;

/**
 * The secret values set in `env` (trimmed, as parseEnv reads them), plus `resolved` values read elsewhere
 * for a variable (META_ACCESS_TOKEN's value read from META_ACCESS_TOKEN_FILE), plus the password of each
 * credential URL, raw and decoded. Longest first, so a secret containing another is scrubbed whole.
 * An unset TOKEN_FINGERPRINT_KEY means the public development default, which is not a secret.
 *
 * @example
 * createLogger({ level: 'info', service: 'worker', secrets: secretsFromEnv(process.env, { META_ACCESS_TOKEN: token }) });
 */
export function secretsFromEnv(env: Env, resolved: Partial<Record<SecretVariable, string>> = {}): string[] {
  const normalized = normalizeEnv(env);
  const found = new Set<string>();
  for (const variable of SECRET_VARIABLES) {
    for (const value of [normalized[variable], resolved[variable]]) if (value) found.add(value);
  }
  for (const variable of CREDENTIAL_URL_VARIABLES) {
    const password = passwordOf(normalized[variable]);
    if (password) {
      found.add(password);
      found.add(safeDecode(password));
    }
  }
  return [...found].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).password || undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
