import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from './errors/db-error.ts';
import { isDbUnavailableError } from './errors/is-db-unavailable-error.ts';
import { createRepository } from './repository.ts';
import { type RecordingServer, startRecordingServer } from './test-support/http-server.ts';

// `requestTimeoutMs` bounds a whole PostgREST request, the body included: a server that never answers, or
// stops halfway through its body, is an outage (status 0), not a request that hangs for ever.
describe('the repository request deadline', () => {
  let server: RecordingServer;
  let base: string;

  beforeAll(async () => {
    server = await startRecordingServer((request, res) => {
      if (request.url.includes('half')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('[{"id":"');
      }
      // Otherwise: no answer at all (the server ends the connection when it closes).
    });
    base = server.base;
  });

  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['no answer', ''],
    ['half a body', '/half'],
  ])('%s: the call fails as unavailable once requestTimeoutMs has passed', async (_label, path) => {
    const repo = createRepository({
      supabaseUrl: `${base}${path}`,
      serviceRoleKey: 'test-service-role-key',
      requestTimeoutMs: 200,
    });
    // An RPC (a POST): postgrest-js retries a failed GET three more times, 1 + 2 + 4 s apart, which would only
    // make this test slow; each of those attempts has the same deadline.
    const error = await repo.getClientTimeZones(['00000000-0000-4000-8000-000000000001']).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isDbError(error)).toBe(true);
    expect(isDbUnavailableError(error)).toBe(true);
  });
});
