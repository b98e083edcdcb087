/**
 * `pnpm bench`: runs the benchmarks, prints one table, writes bench/results/<name>.json and
 * bench/results/SUMMARY.md. Flags: `--only <name>[,<name>]` runs a subset (SUMMARY.md keeps the latest
 * results of the others), `--quick` runs smaller versions (figures not comparable with the goals),
 * `--no-save` prints without writing bench/results, `--help`.
 */
import { parseArgs } from 'node:util';
import {
  machineInfo,
  readResults,
  renderTable,
  type SuiteResult,
  writeResult,
  writeSummary,
} from './lib/results.ts';
import type { Suite } from './lib/suite.ts';
import { cacheCalls } from './suites/cache-calls.ts';
import { collectUnderQuota } from './suites/collect-under-quota.ts';
import { collectUnknownQuota } from './suites/collect-unknown-quota.ts';
import { consoleBench } from './suites/console.ts';
import { jobCost } from './suites/job-cost.ts';
import { overhead } from './suites/overhead.ts';
import { revalidate } from './suites/revalidate.ts';
import { summariesBackfill } from './suites/summaries-backfill.ts';

const SUITES: readonly Suite[] = [
  cacheCalls,
  jobCost,
  overhead,
  collectUnderQuota,
  collectUnknownQuota,
  revalidate,
  consoleBench,
  summariesBackfill,
];

const USAGE = `pnpm bench [--only <name>[,<name>...]] [--quick] [--no-save]

Benchmarks: ${SUITES.map((s) => s.name).join(', ')}
  --only    run only these (results of the others in SUMMARY.md stay from their last run)
  --quick   smaller runs for a smoke test (about 2 minutes; figures are not the README's)
  --no-save print the figures only; bench/results stays as it is (for trying a change)
Results: bench/results/<name>.json and bench/results/SUMMARY.md`;

interface Args {
  only: string[] | null;
  quick: boolean;
  save: boolean;
  help: boolean;
}

function parseArguments(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-save': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let only: string[] | null = null;
  if (values.only !== undefined) {
    only = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (only.length === 0) throw new Error('--only needs a benchmark name');
    const unknown = only.filter((name) => !SUITES.some((s) => s.name === name));
    if (unknown.length > 0)
      throw new Error(
        `unknown benchmark ${unknown.join(', ')} (known: ${SUITES.map((s) => s.name).join(', ')})`,
      );
  }
  return { only, quick: values.quick, save: !values['no-save'], help: values.help };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`pnpm bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const selected = SUITES.filter((s) => args.only === null || args.only.includes(s.name));
  const results: SuiteResult[] = [];
  let failed = 0;
  for (const suite of selected) {
    const startedAt = new Date();
    const machine = machineInfo();
    const log = (line: string) => process.stdout.write(`[${suite.name}] ${line}\n`);
    log(`start${args.quick ? ' (--quick)' : ''}; load average ${machine.loadAvgAtStart}`);
    try {
      const output = await suite.run({ quick: args.quick, log });
      const result: SuiteResult = {
        ...output,
        startedAt: startedAt.toISOString(),
        durationS: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
        machine,
        quick: args.quick,
      };
      if (args.save) writeResult(result);
      results.push(result);
      log(`done in ${result.durationS} s`);
    } catch (error) {
      failed++;
      log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  if (results.length > 0) process.stdout.write(`\n${renderTable(results)}\n`);
  if (!args.save) {
    process.stdout.write('\n--no-save: bench/results left as they were\n');
    return failed > 0 ? 1 : 0;
  }
  writeSummary(readResults(SUITES.map((s) => s.name)));
  process.stdout.write('\nWritten: bench/results/<name>.json, bench/results/SUMMARY.md\n');
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
