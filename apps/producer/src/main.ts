#!/usr/bin/env node
/**
 * @module main
 * The producer's entry point: `node apps/producer/src/main.ts <command>` (`pnpm producer <command>`,
 * `pnpm start` = serve, or the `meta-producer` bin). Loads `./.env` when present (ENV_FILE names another
 * file), then hands over to the command dispatcher. Exit codes: 0 ok, 1 failure (a job of an awaited run
 * failed, or a runtime error), 2 bad flags or unknown client ids (nothing enqueued), 78 configuration.
 */
import { existsSync } from 'node:fs';
import { EXIT } from './cli/usage-error.ts';
import { dispatch } from './commands/index.ts';
import { secretsOf } from './config.ts';
import { redactString } from './http/redact.ts';
import { createLogger } from './logger.ts';
import { openRuntime } from './runtime.ts';

const envFile = process.env.ENV_FILE ?? '.env';
if (existsSync(envFile)) {
  try {
    process.loadEnvFile(envFile);
  } catch (error) {
    process.stderr.write(`producer: cannot read ${envFile}: ${(error as Error).message}\n`);
    process.exit(EXIT.config);
  }
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

try {
  process.exitCode = await dispatch(process.argv.slice(2), {
    env: process.env,
    out: process.stdout,
    err: process.stderr,
    openRuntime: (config, command) => {
      // One-shot commands print their own results; their logs stay at warnings unless LOG_LEVEL says otherwise.
      const level = command === 'serve' || process.env.LOG_LEVEL ? config.logLevel : 'warn';
      return openRuntime(config, {
        logger: createLogger({ level, secrets: secretsOf(config) }),
        // The Redis target from the configuration (REDIS_URL; the cluster form joins it with REDIS_CLUSTER_NODES).
        redis: { url: config.redisUrl, clusterNodes: undefined },
      });
    },
    stopped,
    signal: controller.signal,
  });
} catch (error) {
  const secrets = [
    process.env.META_ACCESS_TOKEN,
    process.env.SUPABASE_SERVICE_ROLE_KEY,
    process.env.ADMIN_PASSWORD,
  ].filter((s): s is string => typeof s === 'string');
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`producer: ${redactString(message, secrets)}\n`);
  process.exitCode = EXIT.failure;
}
// Connections are closed by then; do not wait for stray timers of libraries.
process.exit(process.exitCode ?? EXIT.ok);
