/**
 * `pnpm bench:profile [--type validate,refresh-cache,collect-insights] [--quick] [--top 30] [--dir <d>]`:
 * runs the `job-cost` benchmark with each selected job type's worker process under `node --cpu-prof`,
 * writes `<dir>/worker-<type>.cpuprofile` (open it in Chrome DevTools or speedscope) and prints the top
 * self-time functions of each (bench/cpuprofile-top.ts). The figures of a profiled run are not written to
 * bench/results: profiling slows the worker.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTop } from './cpuprofile-top.ts';
import { jobCost } from './suites/job-cost.ts';

const TYPES = ['validate', 'refresh-cache', 'collect-insights'];

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      type: { type: 'string', default: TYPES.join(',') },
      quick: { type: 'boolean', default: false },
      top: { type: 'string', default: '30' },
      dir: {
        type: 'string',
        default: join(
          new URL('.', import.meta.url).pathname,
          'profiles',
          new Date().toISOString().replace(/[:.]/g, '-'),
        ),
      },
    },
    strict: true,
    allowPositionals: false,
  });
  const types = values.type.split(',').filter(Boolean);
  const unknown = types.filter((t) => !TYPES.includes(t));
  if (unknown.length > 0 || types.length === 0)
    throw new Error(`--type takes ${TYPES.join(', ')} (comma-separated); got ${values.type || 'nothing'}`);
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1)
    throw new Error(`--top takes a whole number above 0; got ${values.top}`);
  return { types, quick: values.quick, top, dir: values.dir };
}

let args: ReturnType<typeof parse>;
try {
  args = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`pnpm bench:profile: ${(error as Error).message}\n`);
  process.exit(2);
}
mkdirSync(args.dir, { recursive: true });
process.env.BENCH_CPU_PROF = args.dir;
process.env.BENCH_JOB_TYPES = args.types.join(',');
await jobCost.run({ quick: args.quick, log: (line) => process.stdout.write(`[profile] ${line}\n`) });
for (const type of args.types) {
  process.stdout.write(`\n${renderTop(join(args.dir, `worker-${type}.cpuprofile`), args.top)}\n`);
}
process.stdout.write(`\nProfiles in ${args.dir}\n`);
