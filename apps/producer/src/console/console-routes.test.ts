import { describe, expect, it } from 'vitest';
import { consoleRoutes } from './console-routes.ts';
import type { ConsoleService } from './console-service.ts';

describe('GET /clients/:id?run=…', () => {
  it('reads the run before the client: a run it shows finished has its writes in the facts shown', async () => {
    // Read the other way round, a job finishing between the two reads gave a page that said "finished"
    // over the facts from before it (a flake of console.browser.test.ts under load).
    const reads: string[] = [];
    const service = {
      client: async () => {
        reads.push('client');
        return null;
      },
      runProgress: async () => {
        reads.push('run');
        return null;
      },
    } as unknown as ConsoleService;
    const app = consoleRoutes(service, { bullBoardPath: '/queues' });
    await app.request(
      'http://localhost/clients/00000000-0000-4000-8000-000000000001?notice=run-started&run=run-validate-20261203T010203Z-abcdef',
    );
    expect(reads).toEqual(['run', 'client']);
  });
});
