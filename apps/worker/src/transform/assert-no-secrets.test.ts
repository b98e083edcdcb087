import { describe, expect, it } from 'vitest';
import { assertNoSecrets, isSecretLeakError, SecretLeakError } from './assert-no-secrets.ts';

const TOKEN = 'EAAFakeTransformTestToken01';

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('assertNoSecrets', () => {
  it('accepts a clean cache_data object', () => {
    const clean = {
      client: { id: 'c1', name: 'Havet', adAccountId: '438600948208231', currency: 'PLN' },
      campaigns: [{ campaign_name: 'Lato', actions: [{ action_type: 'omni_purchase', value: '3' }] }],
      stats: { totalSpend: 10 },
    };
    expect(() => assertNoSecrets(clean, [TOKEN, ''])).not.toThrow();
  });

  it.each([
    ['a copied clients row', { client: { id: 'c1', meta_access_token: null } }, '$.client.meta_access_token'],
    ['a system user token key', { client: { system_user_token: 'x' } }, '$.client.system_user_token'],
    ['an app secret key', { accountInfo: { appsecret_proof: 'abc' } }, '$.accountInfo.appsecret_proof'],
    ['a generated password', { client: { generated_password: 'pw' } }, '$.client.generated_password'],
    [
      'the token inside a URL',
      { paging: { next: `https://graph.facebook.com/v18.0/act_1/insights?access_tok=${TOKEN}` } },
      '$.paging.next',
    ],
    [
      'the token inside an array',
      { campaigns: [{ campaign_name: 'ok' }, { note: `Bearer ${TOKEN}` }] },
      '$.campaigns[1].note',
    ],
  ])('rejects %s', (_name, value, path) => {
    const error = thrown(() => assertNoSecrets(value, [TOKEN]));
    expect(error).toBeInstanceOf(SecretLeakError);
    expect(isSecretLeakError(error)).toBe(true);
    expect((error as SecretLeakError).path).toBe(path);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('rejects the secret used as a key and survives cycles', () => {
    expect(() => assertNoSecrets({ [TOKEN]: 1 }, [TOKEN])).toThrow(SecretLeakError);
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    expect(() => assertNoSecrets(cyclic, [TOKEN])).not.toThrow();
  });
});
