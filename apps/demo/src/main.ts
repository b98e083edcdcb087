/**
 * `pnpm demo`: the whole system on one machine, against the Meta sandbox (see run-demo.ts for the steps).
 * `--once` exits after the run with 0 only if every client ended as expected; otherwise it keeps serving
 * Bull Board and the admin API until Ctrl-C. Exit codes: 2 for a bad flag, 78 for a bad configuration
 * variable (checked before anything starts), 1 for any other failure. The demo reads no `.env`: it would
 * point the demo's migrations and seed at the services a `.env` names.
 */
import { exitOnConfigError, isConfigError } from '@meta-engine/runtime';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from './args.ts';
import { type DemoHandle, runDemoTasks, startDemo } from './run-demo.ts';
import { renderSummaryTable } from './summary.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoUsageError) {
      process.stderr.write(`pnpm demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    say(DEMO_USAGE);
    return 0;
  }
  let demo: DemoHandle | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping: closing the worker, the producer and the local services...');
    (demo?.close() ?? Promise.resolve()).then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const started = Date.now();
    demo = await startDemo({ clients: args.clients, port: args.port });
    const { summaries, problems } = await runDemoTasks(demo);
    say('');
    say(renderSummaryTable(summaries));
    say(
      'Throttled: throttle errors Meta sent for the account. Parked: times its jobs waited without holding a',
    );
    say(
      'worker (limiter pacing, a throttle block, or an async report poll). Summaries: campaign_summaries rows',
    );
    say('(monthly/weekly). Jobs: validate, refresh, collect, summaries.');
    say('');
    say(`Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    const totals = sandboxTotals(demo.sandbox.counters());
    say(`Meta sandbox: ${totals.calls} calls, ${totals.throttles} throttled, ${totals.errors} errors`);
    if (problems.length === 0) say('Every client ended as expected.');
    else for (const problem of problems) say(`UNEXPECTED: ${problem}`);
    const url = demo.service.url;
    say('');
    say(`Console:    ${url}/console   (user: ${demo.adminUser}, password: ${demo.adminPassword})`);
    say(`Bull Board: ${url}/admin/queues`);
    say(
      `Admin API:  ${url}/api/clients   ${url}/api/runs   health: ${url}/healthz   metrics: ${url}/metrics`,
    );
    if (args.once) {
      await demo.close();
      return problems.length === 0 ? 0 : 1;
    }
    say('\nServing until Ctrl-C.');
    await new Promise(() => {});
    return 0;
  } catch (error) {
    if (!isConfigError(error)) {
      process.stderr.write(`pnpm demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await demo?.close();
    exitOnConfigError(error, 'pnpm demo');
    return 1;
  }
}

function sandboxTotals(counters: unknown): { calls: number; throttles: number; errors: number } {
  const totals = { calls: 0, throttles: 0, errors: 0 };
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'number' && (key === 'calls' || key === 'throttles' || key === 'errors'))
        totals[key] += inner;
      else visit(inner);
    }
  };
  visit((counters as { accounts?: unknown }).accounts ?? counters);
  return totals;
}

process.exitCode = await main();
