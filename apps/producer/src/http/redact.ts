/**
 * @module redact
 * Hides anything token-like before job data reaches Bull Board: values under secret-sounding keys, and
 * strings that look like Meta tokens (`EAA...`), JWTs or `access_token=` query parameters wherever they
 * appear. Pure; returns a redacted copy and never mutates its input.
 *
 * @example
 * redactSecrets({ clientId: 'c1', accessToken: 'EAAB...' }) // { clientId: 'c1', accessToken: '[redacted]' }
 */

export const REDACTED = '[redacted]';

const SECRET_KEY =
  /(token|secret|password|passwd|authorization|api[-_]?key|cookie|credential|signature|proof)/i;

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /EAA[A-Za-z0-9]{20,}/g, // Meta access tokens
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs (Supabase keys)
  /((?:access_token|input_token|appsecret_proof|client_secret)=)[^&\s"']+/gi,
  /(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi,
];

export function redactSecrets(value: unknown, extraSecrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 20) return REDACTED;
  if (typeof value === 'string') return redactString(value, extraSecrets);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, extraSecrets, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        SECRET_KEY.test(key) && item !== null && item !== undefined && item !== ''
          ? REDACTED
          : redactSecrets(item, extraSecrets, depth + 1);
    }
    return out;
  }
  return value;
}

export function redactString(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) if (secret.length >= 6) out = out.replaceAll(secret, REDACTED);
  for (const pattern of SECRET_VALUE_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}
