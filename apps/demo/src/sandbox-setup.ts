import { type Sandbox, type StartSandboxOptions, startSandbox } from '@meta-engine/meta-sandbox';
import { DEMO_TOKEN, type DemoClient } from './demo-world.ts';

/** One sandbox hour passes in 2.5 real seconds: the heavy account's windows pass within the demo. */
export const DEMO_TIME_SCALE = 1440;

/** Insights calls the heavy account may make per (sandbox) hour: fewer than one refresh plus collection. */
export const HEAVY_INSIGHTS_QUOTA = 6;

export function sandboxOptionsFor(clients: readonly DemoClient[]): StartSandboxOptions {
  return {
    seed: 'pnpm-demo',
    timeScale: DEMO_TIME_SCALE,
    accounts: clients.map((client) => ({
      id: client.adAccountId,
      name: client.name,
      timezone: client.timezone,
      currency: client.currency,
      campaigns: 6,
      ...(client.role === 'disabled' ? { status: 2, disableReason: 3 } : {}),
      ...(client.role === 'heavy' ? { quotaOverride: { ads_insights: HEAVY_INSIGHTS_QUOTA } } : {}),
    })),
    tokens: [
      {
        value: DEMO_TOKEN,
        state: 'valid',
        label: 'demo system user',
        accountIds: clients.filter((c) => c.role !== 'unassigned').map((c) => c.adAccountId),
      },
    ],
    asyncJobs: { notStartedSeconds: 5, startedSeconds: 5, runningSeconds: 30 },
  };
}

export function startDemoSandbox(clients: readonly DemoClient[]): Promise<Sandbox> {
  return startSandbox(sandboxOptionsFor(clients));
}
