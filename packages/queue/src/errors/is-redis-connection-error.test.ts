import { describe, expect, it } from 'vitest';
import { isRedisConnectionError } from './is-redis-connection-error.ts';

describe('isRedisConnectionError', () => {
  it.each([
    [new Error('Connection is closed.'), true],
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), true],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }), true],
    [
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
      true,
    ],
    [new Error('wrapped', { cause: new Error('Connection is closed.') }), true],
    [new Error('ERR Error running script'), false],
    [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), false],
    ['Connection is closed.', false],
    [undefined, false],
  ])('%s -> %s', (error, expected) => {
    expect(isRedisConnectionError(error)).toBe(expected);
  });
});
