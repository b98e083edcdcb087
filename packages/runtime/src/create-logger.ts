import { type DestinationStream, type Logger, pino } from 'pino';

export interface LoggerOptions {
  level: string;
  /**
   * Values never to print (the Meta token, the service-role key, the admin password). Read on every line,
   * so a value added to the list later (a rotated token, see `addSecret`) is scrubbed from then on.
   */
  secrets: readonly string[];
  /** Where JSON lines go (default stdout; the producer's CLI uses stderr to keep stdout for output). */
  destination?: { write(line: string): unknown };
  /** `service` field of every line. */
  service: string;
}

/**
 * pino JSON logs with two layers of secret protection: `redact` for known key names, and a destination
 * that replaces every configured secret anywhere in the serialized line (a token pasted into an error
 * message by a library still never reaches the log).
 *
 * @example
 * const log = createLogger({ level: 'info', secrets: [token], service: 'worker' });
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets;
  const target = options.destination ?? process.stdout;
  const scrubbing: DestinationStream = {
    write(line: string) {
      let safe = line;
      // Short values would scrub ordinary words; a real token or key is far longer.
      for (const secret of secrets) if (secret.length >= 6) safe = safe.replaceAll(secret, '[REDACTED]');
      target.write(safe);
    },
  };
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      redact: {
        paths: [
          'accessToken',
          '*.accessToken',
          'access_token',
          '*.access_token',
          'token',
          '*.token',
          'appSecret',
          '*.appSecret',
          'password',
          '*.password',
          'serviceRoleKey',
          '*.serviceRoleKey',
          'authorization',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[REDACTED]',
      },
    },
    scrubbing,
  );
}
