import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, redactString } from './redact.ts';

describe('redactSecrets', () => {
  it('hides values under secret-sounding keys at any depth, keeps the rest', () => {
    const input = {
      clientId: 'c1',
      adAccountId: '123',
      accessToken: 'anything',
      nested: { Authorization: 'Bearer abc', list: [{ client_secret: 's' }, { ok: 1 }] },
      apiKey: '',
    };
    expect(redactSecrets(input)).toEqual({
      clientId: 'c1',
      adAccountId: '123',
      accessToken: REDACTED,
      nested: { Authorization: REDACTED, list: [{ client_secret: REDACTED }, { ok: 1 }] },
      apiKey: '',
    });
    expect(input.accessToken).toBe('anything');
  });

  it.each([
    ['token EAAFakeTokenForTests00000000 here', `token ${REDACTED} here`],
    [
      'https://graph.facebook.com/v26.0/act_1?access_token=abc123&fields=id',
      `https://graph.facebook.com/v26.0/act_1?access_token=${REDACTED}&fields=id`,
    ],
    ['Authorization: Bearer abcdefghijklmnopqrstuvwxyz', `Authorization: Bearer ${REDACTED}`],
    ['key eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlMTIz end', `key ${REDACTED} end`],
    ['nothing secret: act_123, 2026-01-01', 'nothing secret: act_123, 2026-01-01'],
  ])('redacts token-like text: %s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('hides literal secrets it is given', () => {
    expect(redactSecrets({ note: 'pass my-admin-password please' }, ['my-admin-password'])).toEqual({
      note: `pass ${REDACTED} please`,
    });
  });
});
