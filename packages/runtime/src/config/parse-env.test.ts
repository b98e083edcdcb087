import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ConfigError, isConfigError } from './config-error.ts';
import { rule } from './env-rule.ts';
import { field } from './field.ts';
import { normalizeEnv, parseEnv } from './parse-env.ts';

const schema = z.object({
  REDIS_URL: field.url({ protocols: ['redis:'] }),
  CONCURRENCY_VALIDATE: field.integer({ min: 1 }).default(20),
  SERVICE_KEY: field.secret({ minLength: 20, hint: 'the service key' }),
  LOG_LEVEL: field.logLevel().default('info'),
});
const BASE = { REDIS_URL: 'redis://127.0.0.1:6379', SERVICE_KEY: 'k'.repeat(24) };

function caught(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('trims every value and treats an empty one as unset', () => {
    expect(normalizeEnv({ A: ' x ', B: '', C: '  \t', D: undefined })).toEqual({ A: 'x' });
    expect(parseEnv(schema, { ...BASE, CONCURRENCY_VALIDATE: ' 5 ', LOG_LEVEL: '' })).toEqual({
      ...BASE,
      CONCURRENCY_VALIDATE: 5,
      LOG_LEVEL: 'info',
    });
  });

  it('says "is required" only for a missing or empty variable; a present one says what is wrong', () => {
    expect(caught(() => parseEnv(schema, { ...BASE, CONCURRENCY_VALIDATE: 'abc' })).message).toBe(
      "CONCURRENCY_VALIDATE: expected an integer, got 'abc'",
    );
    expect(caught(() => parseEnv(schema, { SERVICE_KEY: BASE.SERVICE_KEY, REDIS_URL: ' ' })).message).toBe(
      'REDIS_URL: is required',
    );
  });

  it('lists every problem, one line each, in the order the schema lists the variables', () => {
    const error = caught(() =>
      parseEnv(schema, { LOG_LEVEL: 'loud', CONCURRENCY_VALIDATE: '0', SERVICE_KEY: 'short-secret' }, [
        rule.required('EXTRA', 'for this command'),
      ]),
    );
    expect(error.issues).toEqual([
      { variable: 'REDIS_URL', problem: 'is required' },
      { variable: 'CONCURRENCY_VALIDATE', problem: "must be at least 1, got '0'" },
      { variable: 'SERVICE_KEY', problem: 'must be the service key (at least 20 characters)' },
      {
        variable: 'LOG_LEVEL',
        problem: "expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
      },
      { variable: 'EXTRA', problem: 'is required for this command' },
    ]);
    expect(error.message.split('\n')).toHaveLength(5);
    expect(error.message).not.toContain('short-secret');
  });

  it('runs the rules on the trimmed environment even when fields fail', () => {
    const rules = [rule.anyOf(['A', 'B']), rule.atMostOne(['C', 'D'])];
    const error = caught(() => parseEnv(schema, { A: ' ', C: 'x', D: 'y' }, rules));
    expect(error.issues).toContainEqual({ variable: 'A', problem: 'is required (or B)' });
    expect(error.issues).toContainEqual({ variable: 'C', problem: 'set C or D, not both' });
  });
});
