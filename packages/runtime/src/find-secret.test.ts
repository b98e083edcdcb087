import { describe, expect, it } from 'vitest';
import { findSecret } from './find-secret.ts';

describe('findSecret', () => {
  it.each([
    [{ client: { meta_access_token: 'x' } }, [], { path: '$.client.meta_access_token', reason: 'key' }],
    [
      { a: [{ ok: 1 }, { Generated_Password: 'p' }] },
      [],
      { path: '$.a[1].Generated_Password', reason: 'key' },
    ],
    [{ appSecretProof: 'p' }, [], { path: '$.appSecretProof', reason: 'key' }],
    [{ note: 'see EAAB123 here' }, ['EAAB123'], { path: '$.note', reason: 'value' }],
    [{ EAAB123: 1 }, ['EAAB123'], { path: '$.<key>', reason: 'key' }],
  ])('%j → %j', (value, secrets, expected) => {
    expect(findSecret(value, secrets)).toEqual(expected);
  });

  it('finds nothing in clean data, ignores empty secrets, survives cycles, takes a root name', () => {
    const cyclic: Record<string, unknown> = { name: 'Havet', stats: { spend: 1 } };
    cyclic.self = cyclic;
    expect(findSecret(cyclic, [''])).toBeUndefined();
    expect(findSecret({ token_x: 1 }, [], 'cache_data')).toEqual({
      path: 'cache_data.token_x',
      reason: 'key',
    });
  });
});
