import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordingServer, refusedUrl, startRecordingServer } from '../test-support/http-server.ts';
import { createPostgrestFetch } from './postgrest-fetch.ts';

describe('createPostgrestFetch', () => {
  let server: RecordingServer;
  let base: string;
  const postgrestFetch = createPostgrestFetch();

  beforeAll(async () => {
    server = await startRecordingServer((request, res) => {
      if (request.url.startsWith('/empty')) {
        res.writeHead(204, { 'content-range': '*/0' }).end();
        return;
      }
      if (request.url.startsWith('/fail')) {
        res.writeHead(409, { 'content-type': 'application/json' }).end('{"code":"23505"}');
        return;
      }
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(200, { 'content-type': 'application/json', 'content-range': '0-0/1' });
      res.end(JSON.stringify([{ echo: request.body }]));
    });
    base = server.base;
  });

  afterAll(async () => {
    await postgrestFetch.close();
    await server.close();
  });

  it('sends method, path with query, headers (plain or Headers) and body; answers a standard Response', async () => {
    const headers = new Headers({ Authorization: 'Bearer k', 'Content-Profile': 'public' });
    const response = await postgrestFetch(`${base}/rest/v1/rpc/f?select=*`, {
      method: 'POST',
      headers,
      body: '{"p":1}',
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-range')).toBe('0-0/1');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.json()).toEqual([{ echo: '{"p":1}' }]);
    const request = server.seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/rest/v1/rpc/f?select=*');
    expect(request.headers.authorization).toBe('Bearer k');
    expect(request.headers['content-profile']).toBe('public');

    await postgrestFetch(new URL(`${base}/rest/v1/t`), { headers: { Accept: 'application/json' } });
    expect(server.seen.at(-1)).toMatchObject({
      method: 'GET',
      body: '',
      headers: { accept: 'application/json' },
    });
  });

  it('passes error statuses and bodiless answers through', async () => {
    const failed = await postgrestFetch(`${base}/fail`, { method: 'POST', body: '{}' });
    expect(failed.ok).toBe(false);
    expect(failed.status).toBe(409);
    expect(await failed.text()).toBe('{"code":"23505"}');
    const empty = await postgrestFetch(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('rejects when there is no answer: refused, aborted', async () => {
    await expect(postgrestFetch(`${await refusedUrl()}/x`)).rejects.toThrow();
    await expect(postgrestFetch(`${base}/x`, { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('refuses a body it cannot send, naming it', async () => {
    await expect(
      postgrestFetch(`${base}/x`, { method: 'POST', body: new URLSearchParams('a=1') }),
    ).rejects.toThrow(/unsupported request body \(\[object URLSearchParams\]\)/);
  });
});
