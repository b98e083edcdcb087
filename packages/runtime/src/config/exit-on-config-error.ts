/**
 * @module exit-on-config-error
 * The one rule for how a process ends on bad configuration: every problem on its own line on stderr,
 * prefixed with the process name (`worker: REDIS_URL: is required`), and exit code 78 (EX_CONFIG from
 * sysexits.h). Usage errors (bad flags) are 2; other failures 1.
 */
import { isConfigError } from './config-error.ts';

export const EXIT_CONFIG = 78;

/**
 * Prints a ConfigError and exits 78; returns (doing nothing) for any other error, so the caller goes on
 * with its own handling.
 *
 * @example
 * try {
 *   loadDotEnv();
 *   config = loadConfig(process.env);
 * } catch (error) {
 *   exitOnConfigError(error, 'worker');
 *   throw error;
 * }
 */
export function exitOnConfigError(error: unknown, name: string): void {
  if (!isConfigError(error)) return;
  for (const { variable, problem } of error.issues)
    process.stderr.write(`${name}: ${variable}: ${problem}\n`);
  process.exit(EXIT_CONFIG);
}
