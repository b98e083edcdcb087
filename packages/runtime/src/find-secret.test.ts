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

  it('finds a secret whose characters JSON escapes, and secret-like words that are only values', () => {
    const secret = 'EA"AB\\12\n3';
    expect(findSecret({ rows: [{ note: `x${secret}y` }] }, [secret])).toEqual({
      path: '$.rows[0].note',
      reason: 'value',
    });
    // A value that merely mentions a word is not a finding (the text check passes it to the walk).
    expect(findSecret({ campaign: 'Token sale', tip: 'password reset flow' })).toBeUndefined();
    expect(findSecret({ big: 10n, nested: { api_secret: 's' } })).toEqual({
      path: '$.nested.api_secret',
      reason: 'key',
    });
  });

  it('answers from a JSON text that contains the value, and walks the value when that text has a hit', () => {
    const cache = { campaigns: [{ name: 'Spring' }], stats: { spend: 1 } };
    const body = JSON.stringify({ p_client: 'c', p_writes: { month_cache: { cache_data: cache } } });
    expect(findSecret(cache, ['EAAB123'], 'cache_data', body)).toBeUndefined();
    // A hit elsewhere in the body (here a sync error mentioning a token) is not a finding in the value.
    const noisy = JSON.stringify({ sync_failure: { error: 'token expired' }, cache_data: cache });
    expect(findSecret(cache, [], 'cache_data', noisy)).toBeUndefined();
    // A hit in the text sends the value to the walk, which names the path in the value.
    const leaking = { client: { meta_access_token: 'x' } };
    expect(findSecret(leaking, [], 'cache_data', JSON.stringify({ access_token: 1, leaking }))).toEqual({
      path: 'cache_data.client.meta_access_token',
      reason: 'key',
    });
    expect(findSecret({ note: 'EAAB123' }, ['EAAB123'], '$', '{"note":"EAAB123"}')).toEqual({
      path: '$.note',
      reason: 'value',
    });
  });

  it('judges a value as it would be stored: members JSON leaves out are not looked at', () => {
    expect(findSecret({ meta_access_token: undefined, ok: 1 })).toBeUndefined();
    expect(findSecret({ token: () => 'x' })).toBeUndefined();
    expect(findSecret({ when: new Date(0), access_token: null })).toEqual({
      path: '$.access_token',
      reason: 'key',
    });
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
