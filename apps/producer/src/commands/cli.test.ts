import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = new URL('../main.ts', import.meta.url).pathname;
const cwd = mkdtempSync(join(tmpdir(), 'producer-cli-'));

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the real CLI (spawned)', () => {
  it('rejects an unknown flag with exit code 2 before reading any configuration', () => {
    const { code, stdout, stderr } = cli(['enqueue', 'validate', '--all', '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe("producer enqueue: Unknown option '--bogus'");
    expect(stderr).toContain('usage: producer enqueue');
  });

  it('rejects contradictory flags with exit code 2', () => {
    const { code, stderr } = cli(['enqueue', 'validate', '--all', '--client', 'c1']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('producer enqueue: --all and --client cannot be combined');
  });

  it('refuses days Meta cannot have with exit code 2 before reading any configuration (issue 12.6)', () => {
    const { code, stdout, stderr } = cli([
      'enqueue',
      'collect-insights',
      '--all',
      '--since',
      '1900-01-01',
      '--until',
      '1900-01-31',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toMatch(
      /^producer enqueue: --since 1900-01-01 is before \d{4}-\d{2}-\d{2}: Meta keeps insights for 37 months/,
    );
  });

  it('rejects an unknown command with exit code 2 and lists the commands', () => {
    const { code, stderr } = cli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
    expect(stderr).toContain('enqueue');
  });

  it('stops with one line naming the missing variable (exit 78)', () => {
    const { code, stdout, stderr } = cli(['status'], {
      SUPABASE_URL: 'http://127.0.0.1:1',
      SUPABASE_SERVICE_ROLE_KEY: 'x'.repeat(40),
    });
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).toBe('producer: REDIS_URL: is required (or REDIS_CLUSTER_NODES)\n');
  });

  it('names a malformed value without echoing it, also from a .env file', () => {
    writeFileSync(
      join(cwd, '.env'),
      'REDIS_URL=redis://127.0.0.1:1\nSUPABASE_URL=http://127.0.0.1:1\nSUPABASE_SERVICE_ROLE_KEY=secret-service-role-key-123456\nSCHEDULE_VALIDATE=0 25 * * *\n',
    );
    try {
      const { code, stderr } = cli(['schedules']);
      expect(code).toBe(78);
      expect(stderr).toBe(
        `producer: SCHEDULE_VALIDATE: is not a cron pattern (hour value 25 is outside 0-23); use "local" (after each account's midnight) or "off"\n`,
      );
      expect(stderr).not.toContain('secret-service-role-key');
    } finally {
      rmSync(join(cwd, '.env'));
    }
  });

  it('requires the admin credentials and the token for serve only', () => {
    const base = {
      REDIS_URL: 'redis://127.0.0.1:1',
      SUPABASE_URL: 'http://127.0.0.1:1',
      SUPABASE_SERVICE_ROLE_KEY: 'x'.repeat(40),
    };
    const { code, stderr } = cli(['serve'], base);
    expect(code).toBe(78);
    expect(stderr).toBe(
      [
        'producer: META_ACCESS_TOKEN: is required (or META_ACCESS_TOKEN_FILE)',
        'producer: ADMIN_USER: is required to serve the admin HTTP API',
        'producer: ADMIN_PASSWORD: is required to serve the admin HTTP API',
        '',
      ].join('\n'),
    );
  });

  it('refuses a malformed .env with exit 78, naming the line and not its content', () => {
    writeFileSync(
      join(cwd, '.env'),
      'REDIS_URL=redis://127.0.0.1:1\nMETA_ACCESS_TOKEN EAAsecret-token-value\n',
    );
    try {
      const { code, stdout, stderr } = cli(['status']);
      expect(code).toBe(78);
      expect(stdout).toBe('');
      expect(stderr).toBe('producer: .env: line 2 is not NAME=value\n');
    } finally {
      rmSync(join(cwd, '.env'));
    }
  });

  it('reads ENV_FILE, and a missing ENV_FILE is a configuration error', () => {
    const path = join(cwd, 'other.env');
    writeFileSync(path, 'SUPABASE_URL=http://127.0.0.1:1\nSUPABASE_SERVICE_ROLE_KEY=x\n');
    try {
      const { code, stderr } = cli(['status'], { ENV_FILE: path });
      expect(code).toBe(78);
      // The file was read: SUPABASE_URL is fine, the short key is named, REDIS_URL is missing.
      expect(stderr).toBe(
        'producer: REDIS_URL: is required (or REDIS_CLUSTER_NODES)\nproducer: SUPABASE_SERVICE_ROLE_KEY: must be the service-role key of the Supabase project (at least 20 characters)\n',
      );
    } finally {
      rmSync(path);
    }
    const missing = cli(['status'], { ENV_FILE: join(cwd, 'nope.env') });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toBe(`producer: ENV_FILE: cannot read ${join(cwd, 'nope.env')} (no such file)\n`);
  });

  it('prints help with exit code 0', () => {
    const { code, stdout } = cli(['help', 'enqueue']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: producer enqueue');
  });
});
