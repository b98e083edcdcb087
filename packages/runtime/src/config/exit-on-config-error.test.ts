import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const RUNTIME = new URL('../index.ts', import.meta.url).href;

/** A process that calls exitOnConfigError with `error` (an expression), then exits 3 if it returned. */
function run(error: string) {
  const script = `
    import { ConfigError, exitOnConfigError } from ${JSON.stringify(RUNTIME)};
    exitOnConfigError(${error}, 'tool');
    process.exit(3);
  `;
  return spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });
}

describe('exitOnConfigError', () => {
  it('prints each problem on its own line, prefixed with the process name, and exits 78', () => {
    const result = run(
      `new ConfigError([{ variable: 'REDIS_URL', problem: 'is required' }, { variable: 'PORT', problem: "expected a port from 0 to 65535, got 'x'" }])`,
    );
    expect(result.status).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "tool: REDIS_URL: is required\ntool: PORT: expected a port from 0 to 65535, got 'x'\n",
    );
  });

  it('returns for any other error, so the caller handles it', () => {
    const result = run(`new Error('boom')`);
    expect(result.status).toBe(3);
    expect(result.stderr).toBe('');
  });
});
