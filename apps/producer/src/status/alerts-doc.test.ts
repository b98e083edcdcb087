import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProducerMetrics } from './metrics.ts';

const ALERTS = new URL('../../../../docs/alerts.md', import.meta.url);

describe('docs/alerts.md', () => {
  it('names only metrics and labels the producer exports', async () => {
    const doc = readFileSync(ALERTS, 'utf8');
    const rules = doc.slice(doc.indexOf('```yaml'));
    const used = new Set(rules.match(/meta_producer_[a-z_]+/g) ?? []);
    expect(used.size).toBeGreaterThan(8);
    const metrics = createProducerMetrics({ defaultMetrics: false });
    const exported = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    for (const name of used) expect(exported.has(name), name).toBe(true);
    // Label values the rules select on exist.
    for (const objective of ['month_cache', 'week_cache', 'insights', 'validation']) {
      expect(rules).toContain(objective);
      const values = (
        await metrics.registry.getSingleMetric('meta_producer_freshness_objective_seconds')?.get()
      )?.values;
      expect(
        values?.some((v) => v.labels.objective === objective),
        objective,
      ).toBe(true);
    }
  });
});
