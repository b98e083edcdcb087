import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from './config-error.ts';

describe('ConfigError', () => {
  it('is one line per problem, VARIABLE: problem, and carries the issues', () => {
    const issues = [
      { variable: 'A', problem: 'is required' },
      { variable: 'B', problem: "expected an integer, got 'x'" },
    ];
    const error = new ConfigError(issues);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe("A: is required\nB: expected an integer, got 'x'");
    expect(error.issues).toEqual(issues);
    expect(error).toBeInstanceOf(Error);
  });

  it('is recognised by name and shape, also from another copy of the module', () => {
    const foreign = Object.assign(new Error('A: is required'), { name: 'ConfigError', issues: [] });
    expect(isConfigError(foreign)).toBe(true);
    expect(isConfigError(new Error('ConfigError'))).toBe(false);
    expect(isConfigError({ name: 'ConfigError', issues: [] })).toBe(false);
  });
});
