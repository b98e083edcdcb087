/**
 * @module routes/metrics
 * `GET /metrics`: Prometheus text format, gauges read from Redis and the database at scrape time.
 */
import { Hono } from 'hono';

export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

export function metricsRoutes(metrics: MetricsSource): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) =>
    c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }),
  );
  return app;
}
