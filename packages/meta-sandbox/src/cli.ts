/**
 * @module
 * The sandbox CLI: `node src/cli.ts [options]` (`pnpm --filter meta-sandbox start`).
 * Prints the URL, logs requests with --verbose, stops on SIGINT/SIGTERM.
 */
import { CLI_USAGE, CliUsageError, parseCliArgs } from './cli-args.ts';
import { SandboxConfigError } from './config/normalize.ts';
import { startSandbox } from './server.ts';

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(argv);
  } catch (caught) {
    if (caught instanceof CliUsageError) {
      process.stderr.write(`meta-sandbox: ${caught.message}\nRun with --help for usage.\n`);
      return 2;
    }
    throw caught;
  }
  if (options.help) {
    process.stdout.write(CLI_USAGE);
    return 0;
  }
  const log = options.verbose ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({ ...options.config, ...(log ? { log } : {}) });
  } catch (caught) {
    if (caught instanceof SandboxConfigError) {
      process.stderr.write(`meta-sandbox: ${caught.message}\n`);
      return 2;
    }
    const code = (caught as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`meta-sandbox: cannot listen: ${(caught as Error).message}\n`);
      return 1;
    }
    throw caught;
  }
  const config = sandbox.getConfig();
  process.stdout.write(
    `Meta Graph API sandbox listening on ${sandbox.url}\n` +
      `  seed ${config.seed}, time scale ${config.timeScale}, ${config.accounts.length} ad accounts, ` +
      `${config.tokens.length} tokens (${config.tokens.map((t) => `${t.label}:${t.state}`).join(', ')})\n` +
      `  admin API: ${sandbox.url}/__sandbox/config\n`,
  );
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (caught: unknown) => {
    process.stderr.write(`meta-sandbox: ${caught instanceof Error ? caught.message : String(caught)}\n`);
    process.exitCode = 1;
  },
);
