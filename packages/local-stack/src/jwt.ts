import { createHmac } from 'node:crypto';

/**
 * Signs an HS256 JWT the way Supabase's anon and service-role keys are signed, so supabase-js and
 * PostgREST accept it unchanged. Long-lived on purpose: these keys only ever point at local services.
 */
export function signSupabaseKey(role: 'anon' | 'service_role' | 'authenticated', secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: 'HS256', typ: 'JWT' });
  const payload = base64url({ role, iss: 'local-stack', iat: now, exp: now + 10 * 365 * 24 * 3600 });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
