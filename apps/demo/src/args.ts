/**
 * @module args
 * `pnpm demo [--once] [--clients N] [--port P]`: strict flags on node:util's parseArgs (as the producer's
 * CLI), whole numbers by the runtime's one integer rule; anything else is a DemoUsageError (exit 2).
 */
import { parseArgs } from 'node:util';
import { parseInteger } from '@meta-engine/runtime';

export interface DemoArgs {
  once: boolean;
  clients: number;
  port: number | undefined;
  help: boolean;
}

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export const DEMO_USAGE = `Usage: pnpm demo [--once] [--clients N] [--port P]

Starts the local stack, the Meta sandbox with demo clients, the worker and the producer; runs validation,
cache refresh and insights collection with live progress; prints a summary and the Bull Board URL.

  --once         exit after the run: status 0 only if every expected job succeeded
  --clients N    number of demo clients, 4..28 (default 25)
  --port P       admin HTTP port (default 3000, or a free port when 3000 is taken)
  --help         this text`;

const OPTIONS = {
  once: { type: 'boolean' },
  clients: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * @example
 * parseDemoArgs(['--once', '--clients', '8']); // { once: true, clients: 8, port: undefined, help: false }
 * parseDemoArgs(['--clients', 'many']);        // DemoUsageError "--clients: expected an integer, got 'many'"
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  // `pnpm demo -- --once` passes the separator on; only a leading one is dropped.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: { once?: boolean; clients?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // "Unknown option '--x'. To specify a positional argument starting with a '-', place it at the end..."
    const message = (error as Error).message.split('. To specify')[0]?.replace(/\.$/, '');
    throw new DemoUsageError(`${message} (see pnpm demo --help)`);
  }
  return {
    once: values.once ?? false,
    help: values.help ?? false,
    clients: values.clients === undefined ? 25 : integer('--clients', values.clients, 4, 28),
    port: values.port === undefined ? undefined : integer('--port', values.port, 0, 65535),
  };
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const parsed = parseInteger(raw, { min, max });
  if (!parsed.ok) throw new DemoUsageError(`${flag}: ${parsed.problem}`);
  return parsed.value;
}
