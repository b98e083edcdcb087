import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './ports.ts';
import { uniqueClusterPort } from './redis-cluster.ts';

describe('cluster node ports', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('skips a port whose cluster bus port (port + 10000) is already taken', async () => {
    // A port under 55,536 whose bus port we occupy: redis-server would exit with "Address already in use".
    let busy = 0;
    for (;;) {
      const port = await freePort();
      if (port + 10_000 > 65_535) continue;
      const server = createServer();
      const listening = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port + 10_000, '127.0.0.1', () => resolve(true));
      });
      if (!listening) continue;
      servers.push(server);
      busy = port;
      break;
    }
    const good = await freePort();
    const picks = [busy, good];
    const picked = await uniqueClusterPort([], async () => picks.shift() ?? freePort());
    expect(picked).not.toBe(busy);
  });
});
