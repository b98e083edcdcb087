/**
 * @module runtime/http-server
 * The worker's small HTTP server: `/healthz` (liveness: the process is up and not shutting down),
 * `/readyz` (readiness: Redis and the database answer; 503 naming the one that does not, e.g. while the
 * worker waits out a database outage and takes no jobs) and `/metrics` (Prometheus text); nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** The shape `/readyz` reports (WorkerApp.readiness): ready, one line per check, anything else shown as is. */
export interface ReadinessReport {
  ready: boolean;
  checks: Readonly<Record<string, string>>;
  outage?: unknown;
}

export async function startHealthServer(options: {
  host: string;
  port: number;
  registry: Registry;
  isHealthy: () => boolean;
  /** `/readyz`; without it the path answers 404. */
  readiness?: () => Promise<ReadinessReport>;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const healthy = options.isHealthy();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'shutting-down' }));
      return;
    }
    if (req.method === 'GET' && path === '/readyz' && options.readiness) {
      options.readiness().then(
        (report) => {
          const failed = Object.entries(report.checks)
            .filter(([, value]) => value !== 'ok')
            .map(([name]) => name);
          res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: report.ready ? 'ready' : 'not ready', failed, ...report }));
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'not ready', error: String(error).slice(0, 200) }));
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      options.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
