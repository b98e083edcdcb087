import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { adminBasicAuth } from './basic-auth.ts';
import { errorHandler } from './error-handler.ts';

const header = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

function appFor(user: string, password: string): Hono {
  const app = new Hono();
  app.onError(errorHandler());
  app.use('/x', adminBasicAuth({ user, password }));
  app.get('/x', (c) => c.text(`in as ${c.get('adminUser')}`));
  return app;
}

describe('adminBasicAuth (hono/basic-auth)', () => {
  const app = appFor('admin', 's3cret:with:colons');

  it('challenges without credentials with our realm and a JSON body', async () => {
    const denied = await app.request('/x');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="meta-engine admin"');
    expect(denied.headers.get('content-type')).toContain('application/json');
    expect(await denied.json()).toEqual({ error: 'authentication required' });
  });

  it('lets the exact credentials in (a password may hold colons) and names the user', async () => {
    const allowed = await app.request('/x', {
      headers: { authorization: header('admin:s3cret:with:colons') },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe('in as admin');
  });

  it.each([
    ['a password one character short', header('admin:s3cret:with:colon')],
    ['a longer password', header('admin:s3cret:with:colons-and-more')],
    ['another user', header('Admin:s3cret:with:colons')],
    ['an empty pair', header(':')],
    ['no colon', header('admin')],
    ['another scheme', 'Bearer abc'],
    ['a malformed value', 'Basic !!!'],
  ])('refuses %s', async (_, authorization) => {
    const res = await app.request('/x', { headers: { authorization } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('cannot be built with an empty password (it would match an empty one)', () => {
    expect(() => appFor('', '')).toThrow(/non-empty password/);
    expect(() => appFor('admin', '')).toThrow(/non-empty password/);
  });
});
