import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { onProcessExit } from './cleanup.ts';
import { hasContainerRuntime } from './container-runtime.ts';
import { MissingBinaryError, ServiceUnreachableError } from './errors.ts';
import { freePort } from './ports.ts';
import type { ServiceSource, StackOptions } from './types.ts';
import { postgresBinDirs, which } from './which.ts';
import { withDeadline } from './with-deadline.ts';

/** Password given to the `authenticator` role when this helper creates it. Local services only. */
export const AUTHENTICATOR_PASSWORD = 'authenticator-local-only';

/** Supabase roles, grants and auth helpers; shared with docker-compose.yml. */
const SUPABASE_SQL = fileURLToPath(new URL('./supabase.sql', import.meta.url));

export interface PostgresService {
  /** Superuser URL of a database that has the Supabase roles and grants. */
  url: string;
  source: ServiceSource;
  /** The same database as the `authenticator` role, for PostgREST. */
  authenticatorUrl: string;
  /** The temporary directory of a cluster we started (removed by stop()). */
  directory?: string;
  /**
   * Only for a server this helper started from the local binaries (`ownServer`): stop and start the
   * Postgres server itself, on the same port with the same data, to emulate a database outage
   * (the reliability suites). Absent for servers from the environment or a container.
   */
  server?: PostgresServerControl;
  stop(): Promise<void>;
}

/** A database outage on demand: the server stops (clients get connection errors) and comes back. */
export interface PostgresServerControl {
  /** `pg_ctl stop -m fast`: connections are closed, open transactions roll back. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  startServer(): Promise<void>;
  isRunning(): boolean;
}

export interface PostgresOptions extends StackOptions {
  /**
   * With a shared server (DATABASE_URL), create a fresh database for this caller and drop it on stop(),
   * so parallel test files never see each other's rows. Default true.
   */
  isolate?: boolean;
  /**
   * Start a private server from the local binaries whatever the environment says (no DATABASE_URL, no
   * container), with `server` controls to stop and restart it: a suite can take the database away
   * without touching anyone else's. Throws MissingBinaryError where initdb/pg_ctl are not installed.
   */
  ownServer?: boolean;
}

/** Runs `select 1` within `timeoutMs`; throws ServiceUnreachableError naming `variable` otherwise. */
export async function pingPostgres(url: string, variable = 'DATABASE_URL', timeoutMs = 3000): Promise<void> {
  const target = safeTarget(url);
  let sql: postgres.Sql | undefined;
  try {
    sql = postgres(url, { connect_timeout: Math.ceil(timeoutMs / 1000), max: 1, onnotice: () => {} });
    await withDeadline(sql`select 1`, timeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceUnreachableError(variable, target, reason, { cause: error });
  } finally {
    await sql?.end({ timeout: 1 }).catch(() => {});
  }
}

/** Postgres from DATABASE_URL when set and reachable, else a container, else a private initdb cluster. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresService> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (options.ownServer) return startPostgresBinary();
  if (env.DATABASE_URL) {
    try {
      await pingPostgres(env.DATABASE_URL);
      return await useExistingServer(env.DATABASE_URL, options.isolate ?? true, log);
    } catch (error) {
      log(`${(error as Error).message}; starting a private Postgres instead`);
    }
  }
  if (await hasContainerRuntime(env)) return startPostgresContainer();
  return startPostgresBinary();
}

async function useExistingServer(
  url: string,
  isolate: boolean,
  log: (line: string) => void,
): Promise<PostgresService> {
  if (!isolate) {
    await provision(url);
    return { url, source: 'env', authenticatorUrl: withUser(url, 'authenticator'), stop: async () => {} };
  }
  const name = `local_stack_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    log(`cannot create an isolated database on DATABASE_URL (${(error as Error).message}); using it as is`);
    await admin.end({ timeout: 1 });
    return useExistingServer(url, false, log);
  }
  await admin.end({ timeout: 1 });
  const dbUrl = withDatabase(url, name);
  await provision(dbUrl);
  return {
    url: dbUrl,
    source: 'env',
    authenticatorUrl: withUser(dbUrl, 'authenticator'),
    stop: async () => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}

async function startPostgresContainer(): Promise<PostgresService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:15-alpine')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres', POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const url = `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  await provision(url);
  return {
    url,
    source: 'container',
    authenticatorUrl: withUser(url, 'authenticator'),
    stop: async () => void (await container.stop()),
  };
}

/**
 * A throw-away cluster in a temporary directory: trust auth on 127.0.0.1, fsync off, started as the
 * `postgres` OS user when we are root (Postgres refuses to run as root).
 */
async function startPostgresBinary(): Promise<PostgresService> {
  const binDirs = postgresBinDirs();
  const initdb = which('initdb', binDirs);
  const pgCtl = which('pg_ctl', binDirs);
  if (!initdb || !pgCtl) {
    throw new MissingBinaryError(
      'initdb/pg_ctl',
      'install PostgreSQL (apt-get install postgresql) or set DATABASE_URL',
    );
  }
  const asRoot = userInfo().uid === 0;
  // runuser lives in /usr/sbin, which a minimal PATH (cron, CI) may lack.
  const runuser = asRoot ? which('runuser', ['/usr/sbin', '/sbin']) : undefined;
  if (asRoot && !runuser)
    throw new MissingBinaryError('runuser', 'install util-linux (Postgres must not run as root)');
  const dir = mkdtempSync(join(tmpdir(), 'local-postgres-'));
  const runAs = (args: string[]) => {
    const result = runuser
      ? spawnSync(runuser, ['-u', 'postgres', '--', ...args], { encoding: 'utf8' })
      : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
    return {
      status: result.status,
      output: result.error?.message ?? `${result.stderr ?? ''}${result.stdout ?? ''}`.trim(),
    };
  };
  if (asRoot) {
    const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const pgGroup = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (pgUser.status !== 0)
      throw new MissingBinaryError('postgres OS user', 'install the postgresql package');
    chownSync(dir, Number(pgUser.stdout.trim()), Number(pgGroup.stdout.trim()));
  }
  const dataDir = join(dir, 'data');
  const init = runAs([
    initdb,
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.output}`);
  }
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const started = runAs([
    pgCtl,
    '-D',
    dataDir,
    '-w',
    '-t',
    '30',
    '-l',
    join(dir, 'log'),
    '-o',
    serverOptions,
    'start',
  ]);
  const stopSync = () => runAs([pgCtl, '-D', dataDir, '-m', 'immediate', 'stop']);
  let running = started.status === 0;
  if (started.status !== 0) {
    stopSync();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${started.output}`);
  }
  const removeExitHook = onProcessExit(() => {
    stopSync();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await provision(url);
  } catch (error) {
    removeExitHook();
    stopSync();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const server: PostgresServerControl = {
    async stopServer() {
      const result = runAs([pgCtl, '-D', dataDir, '-w', '-t', '30', '-m', 'fast', 'stop']);
      if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.output}`);
      running = false;
    },
    async startServer() {
      const result = runAs([
        pgCtl,
        '-D',
        dataDir,
        '-w',
        '-t',
        '30',
        '-l',
        join(dir, 'log'),
        '-o',
        serverOptions,
        'start',
      ]);
      if (result.status !== 0) throw new Error(`pg_ctl start failed: ${result.output}`);
      running = true;
    },
    isRunning: () => running,
  };
  return {
    url,
    source: 'binary',
    authenticatorUrl: withUser(url, 'authenticator'),
    directory: dir,
    server,
    stop: async () => {
      removeExitHook();
      if (running) stopSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function provision(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [role] = await sql<{ existed: boolean }[]>`
      select exists (select 1 from pg_roles where rolname = 'authenticator') as existed`;
    await sql.unsafe(readFileSync(SUPABASE_SQL, 'utf8'));
    // Only a role this helper created gets our password; an existing one keeps its owner's.
    if (!role?.existed) await sql.unsafe(`alter role authenticator password '${AUTHENTICATOR_PASSWORD}'`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = AUTHENTICATOR_PASSWORD;
  return parsed.href;
}

function safeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'an invalid URL';
  }
}
