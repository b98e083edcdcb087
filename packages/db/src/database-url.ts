/**
 * Checks a Postgres connection string (DATABASE_URL) and returns it, or throws an Error whose message
 * is one line naming `variable` and never echoing a password.
 *
 * @example
 * const url = checkDatabaseUrl(process.env.DATABASE_URL); // throws "DATABASE_URL is not set: …"
 */
export function checkDatabaseUrl(value: string | undefined, variable = 'DATABASE_URL'): string {
  const example = 'postgres://postgres:<password>@db.<project-ref>.supabase.co:5432/postgres';
  if (value === undefined || value.trim() === '') {
    throw new Error(`${variable} is not set: give the Postgres connection string, e.g. ${example}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    throw new Error(`${variable} is not a valid URL: expected ${example}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`${variable} must start with postgres:// or postgresql:// (got ${parsed.protocol}//…)`);
  }
  if (!parsed.hostname) throw new Error(`${variable} has no host: expected ${example}`);
  return value.trim();
}
