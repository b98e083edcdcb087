/** `pnpm demo [--once] [--clients N] [--port P]`: strict flags, one clear line for anything else. */
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

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { once: false, clients: 25, port: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new DemoUsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--once') args.once = true;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--clients') args.clients = integer(flag, value(), 4, 28);
    else if (flag === '--port') args.port = integer(flag, value(), 0, 65535);
    else if (flag === '--') continue;
    else throw new DemoUsageError(`unknown flag ${JSON.stringify(flag)} (see pnpm demo --help)`);
  }
  return args;
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DemoUsageError(
      `${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
