import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { basicAuth, credentialsMatch, parseBasicAuth } from './basic-auth.ts';

const header = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('parseBasicAuth', () => {
  it.each([
    [header('admin:s3cret:with:colons'), { user: 'admin', password: 's3cret:with:colons' }],
    [header(':'), { user: '', password: '' }],
    [header('no-colon'), undefined],
    ['Bearer abc', undefined],
    ['Basic !!!', undefined],
    [undefined, undefined],
  ])('%s', (value, expected) => {
    expect(parseBasicAuth(value)).toEqual(expected);
  });
});

describe('credentialsMatch', () => {
  const expected = { user: 'admin', password: 'long-password' };
  it('needs both parts to match exactly', () => {
    expect(credentialsMatch({ user: 'admin', password: 'long-password' }, expected)).toBe(true);
    expect(credentialsMatch({ user: 'admin', password: 'long-passwor' }, expected)).toBe(false);
    expect(credentialsMatch({ user: 'Admin', password: 'long-password' }, expected)).toBe(false);
    expect(credentialsMatch({ user: 'admin', password: 'long-password-and-more' }, expected)).toBe(false);
    expect(credentialsMatch(undefined, expected)).toBe(false);
    expect(credentialsMatch({ user: '', password: '' }, { user: '', password: '' })).toBe(false);
  });
});

describe('basicAuth middleware', () => {
  const app = new Hono();
  app.use('/x', basicAuth({ user: 'u', password: 'password-1' }));
  app.get('/x', (c) => c.text('in'));

  it('challenges without credentials and lets the right ones in', async () => {
    const denied = await app.request('/x');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="meta-engine admin", charset="UTF-8"');
    const allowed = await app.request('/x', { headers: { authorization: header('u:password-1') } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe('in');
  });
});
