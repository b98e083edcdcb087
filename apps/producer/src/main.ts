#!/usr/bin/env node
/**
 * @module main
 * The producer's entry point: `node apps/producer/src/main.ts <command>` (`pnpm producer <command>`,
 * `pnpm start` = serve, or the `meta-producer` bin). Loads `./.env` when present (ENV_FILE names another
 * file) with the runtime's loadDotEnv, then hands over to the command dispatcher. Exit codes: 0 ok,
 * 1 failure (a job of an awaited run failed, or a runtime error), 2 bad flags or unknown client ids
 * (nothing enqueued), 78 configuration (the runtime's exitOnConfigError, one line per problem).
 */
import { exitOnConfigError, loadDotEnv, secretsFromEnv } from '@meta-engine/runtime';
import { EXIT } from './cli/usage-error.ts';
import { dispatch } from './commands/index.ts';
import { redactString } from './http/redact.ts';
import { createLogger } from './logger.ts';
import { openRuntime } from './runtime.ts';

try {
  loadDotEnv();
} catch (error) {
  exitOnConfigError(error, 'producer');
  throw error;
}

const controller = new AbortController();
const stopped = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      controller.abort();
      resolve(signal);
    });
  }
});

// What an unexpected error's message is scrubbed of: the environment's secrets, then the loaded configuration's
// (which adds a token read from META_ACCESS_TOKEN_FILE).
let secrets = secretsFromEnv(process.env);
try {
  process.exitCode = await dispatch(process.argv.slice(2), {
    env: process.env,
    out: process.stdout,
    err: process.stderr,
    openRuntime: (config, command) => {
      // One-shot commands print their own results; their logs stay at warnings unless LOG_LEVEL says otherwise.
      const level = command === 'serve' || process.env.LOG_LEVEL?.trim() ? config.logLevel : 'warn';
      secrets = config.secrets;
      return openRuntime(config, { logger: createLogger({ level, secrets }) });
    },
    stopped,
    signal: controller.signal,
  });
} catch (error) {
  exitOnConfigError(error, 'producer');
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`producer: ${redactString(message, secrets)}\n`);
  process.exitCode = EXIT.failure;
}
// Connections are closed by then; do not wait for stray timers of libraries.
process.exit(process.exitCode ?? EXIT.ok);
