import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbError } from '../errors/db-error.ts';
import { isDbUnavailableError } from '../errors/is-db-unavailable-error.ts';
import { type RecordingServer, refusedUrl, startRecordingServer } from '../test-support/http-server.ts';
import { createJsonRpc } from './json-rpc.ts';
import { createPostgrestFetch } from './postgrest-fetch.ts';

describe('createJsonRpc', () => {
  let server: RecordingServer;
  let base: string;
  const postgrestFetch = createPostgrestFetch();

  beforeAll(async () => {
    server = await startRecordingServer((request, res) => {
      const fn = request.url.split('/').at(-1);
      if (fn === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"written":true}');
      else if (fn === 'void') res.writeHead(204).end();
      else if (fn === 'missing')
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"code":"PGRST202","message":"Could not find the function","details":null,"hint":"x"}');
      else res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    });
    base = server.base;
  });

  afterAll(async () => {
    await postgrestFetch.close();
    await server.close();
  });

  it('POSTs the body as it is to /rest/v1/rpc/<fn> with the service-role key, as supabase-js does', async () => {
    const rpc = createJsonRpc({ supabaseUrl: base, serviceRoleKey: 'service-key', fetch: postgrestFetch });
    const body = '{"p_client":"c","p_writes":{"month_cache":{"cache_data":{"a":[1,2]}}}}';
    expect(await rpc('ok', body)).toEqual({ data: { written: true }, error: null, status: 200 });
    const request = server.seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/rest/v1/rpc/ok', body });
    expect(request.headers).toMatchObject({
      apikey: 'service-key',
      authorization: 'Bearer service-key',
      'content-type': 'application/json',
      'content-profile': 'public',
    });
    expect(await rpc('void', '{}')).toEqual({ data: null, error: null, status: 204 });
  });

  it("answers errors in postgrest-js's shape: PostgREST's error object, a proxy's page, no answer at all", async () => {
    const rpc = createJsonRpc({ supabaseUrl: `${base}/`, serviceRoleKey: 'k', fetch: postgrestFetch });
    const missing = await rpc('missing', '{}');
    expect(missing).toMatchObject({ data: null, status: 404, error: { code: 'PGRST202', hint: 'x' } });
    const gateway = await rpc('gateway', '{}');
    expect(gateway).toEqual({ data: null, error: { message: '<html>Bad Gateway</html>' }, status: 502 });
    expect(isDbUnavailableError(toDbError('t', 'upsert', gateway.error!, gateway.status))).toBe(true);

    const refused = await createJsonRpc({
      supabaseUrl: await refusedUrl(),
      serviceRoleKey: 'k',
      fetch: postgrestFetch,
    })('ok', '{}');
    expect(refused.status).toBe(0);
    expect(refused.error?.message).toMatch(/ECONNREFUSED|connect/i);
    expect(isDbUnavailableError(toDbError('t', 'upsert', refused.error!, refused.status))).toBe(true);
  });
});
