/**
 * @module logger
 * The producer's logs: the shared secret-scrubbing pino logger, on stderr so CLI output on stdout stays
 * clean, with the token, the service-role key and the admin password as secrets.
 */
import { createLogger as createScrubbingLogger } from '@meta-engine/runtime';
import type { Logger } from 'pino';

export function createLogger(options: {
  level: string;
  secrets: readonly string[];
  destination?: { write(line: string): unknown };
}): Logger {
  return createScrubbingLogger({
    ...options,
    destination: options.destination ?? process.stderr,
    service: 'producer',
  });
}
