/**
 * Child process: the Meta sandbox. `BENCH_SANDBOX` holds the JSON of `SandboxSpec` (bench/lib/sandbox.ts);
 * accounts are generated here from a compact spec so 10,000 of them need no huge environment variable.
 */
import { type StartSandboxOptions, startSandbox } from '@meta-engine/meta-sandbox';
import { serveChild } from '../children.ts';
import { type SandboxSpec, summarizeCounters } from '../sandbox.ts';

serveChild(async () => {
  const spec = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as SandboxSpec;
  const { accounts, ...rest } = spec;
  const options: StartSandboxOptions = {
    ...(rest as Omit<StartSandboxOptions, 'accounts'>),
    accounts: Array.from({ length: accounts.count }, (_, index) => ({
      id: String(accounts.idBase + index),
      campaigns: accounts.campaigns,
      adsetsPerCampaign: accounts.adsetsPerCampaign,
      adsPerAdset: accounts.adsPerAdset,
      ...(accounts.perIndex?.length ? accounts.perIndex[index % accounts.perIndex.length] : {}),
    })),
  };
  const sandbox = await startSandbox(options);
  return {
    ready: { url: sandbox.url },
    handlers: {
      counters: async () => ({ counters: summarizeCounters(sandbox.counters()) }),
      reset: async () => {
        sandbox.reset();
        return {};
      },
    },
    close: async () => {
      await sandbox.close();
      return {};
    },
  };
});
