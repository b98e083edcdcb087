import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigError, isConfigError } from './config-error.ts';
import { loadDotEnv } from './load-dot-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'runtime-dotenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(dir, `env-${files++}`);
  writeFileSync(path, text);
  return path;
}

function caught(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDotEnv', () => {
  it('loads NAME=value lines (comments, export, quotes, multi-line values) and never overrides', () => {
    const path = file(
      [
        '# a comment',
        '',
        'REDIS_URL=redis://from-file:6379',
        'export LOG_LEVEL=debug',
        'QUOTED="a value # not a comment"',
        "MULTI='line one",
        "line two'",
        'ALREADY_SET=from-file',
        'EMPTY_SET=from-file',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ALREADY_SET: 'from-environment', EMPTY_SET: '' };
    const result = loadDotEnv(path, env);
    expect(result?.path).toBe(path);
    expect(result?.loaded.toSorted()).toEqual(['LOG_LEVEL', 'MULTI', 'QUOTED', 'REDIS_URL']);
    expect(env).toEqual({
      ALREADY_SET: 'from-environment',
      // Set, even to "": the environment still wins.
      EMPTY_SET: '',
      REDIS_URL: 'redis://from-file:6379',
      LOG_LEVEL: 'debug',
      QUOTED: 'a value # not a comment',
      MULTI: 'line one\nline two',
    });
  });

  it('reads ./.env by default and says nothing when it is missing', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(loadDotEnv(undefined, {})).toBeUndefined();
      writeFileSync(join(dir, '.env'), 'A=1\n');
      const env: NodeJS.ProcessEnv = {};
      expect(loadDotEnv(undefined, env)).toEqual({ path: '.env', loaded: ['A'] });
      expect(env.A).toBe('1');
    } finally {
      rmSync(join(dir, '.env'), { force: true });
      process.chdir(cwd);
    }
  });

  it('reads the file ENV_FILE names, which must exist', () => {
    const path = file('B=2\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: ` ${path} ` };
    expect(loadDotEnv(undefined, env)?.loaded).toEqual(['B']);
    const missing = join(dir, 'missing.env');
    expect(caught(() => loadDotEnv(undefined, { ENV_FILE: missing })).message).toBe(
      `ENV_FILE: cannot read ${missing} (no such file)`,
    );
    expect(caught(() => loadDotEnv(missing, {})).message).toBe(
      `${missing}: cannot read ${missing} (no such file)`,
    );
    expect(caught(() => loadDotEnv(dir, {})).message).toBe(`${dir}: cannot read ${dir} (it is a directory)`);
  });

  it.each([
    ['a line without "="', 'A=1\nMETA_ACCESS_TOKEN EAAsecret-value\n', 'line 2 is not NAME=value'],
    ['a name with a space', 'MY KEY=EAAsecret-value\n', 'line 1 is not NAME=value'],
    ['a name starting with a digit', '1A=EAAsecret-value\n', 'line 1 is not NAME=value'],
    [
      'an unclosed quote',
      'A=1\nB="EAAsecret-value\nC=3\n',
      'line 2 opens a " quoted value that is never closed',
    ],
  ])('refuses a malformed file (%s), naming the line, never its content', (_case, text, problem) => {
    const path = file(text);
    const env: NodeJS.ProcessEnv = {};
    const error = caught(() => loadDotEnv(path, env));
    expect(error.issues).toEqual([{ variable: path, problem }]);
    expect(error.message).not.toContain('EAAsecret');
    // Nothing is loaded from a malformed file.
    expect(env).toEqual({});
  });
});
