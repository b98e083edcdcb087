/**
 * @module logger
 * The worker's logs: the shared secret-scrubbing pino logger (`@meta-engine/runtime`), JSON on stdout.
 */
import { createLogger as createScrubbingLogger } from '@meta-engine/runtime';
import type { Logger } from 'pino';

export function createLogger(options: {
  level: string;
  secrets: string[];
  destination?: { write(line: string): unknown };
  /** `base.service` names the process in each line (default `worker`). */
  base?: { service?: string };
}): Logger {
  return createScrubbingLogger({
    level: options.level,
    secrets: options.secrets,
    destination: options.destination,
    service: options.base?.service ?? 'worker',
  });
}
