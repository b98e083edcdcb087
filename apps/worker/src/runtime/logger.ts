import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * pino JSON logs with two layers of secret protection: `redact` for known key names, and a destination
 * that replaces any occurrence of the configured secrets in the serialized line (a token pasted into an
 * error message by a library still never reaches the log).
 */
export function createLogger(options: {
  level: string;
  secrets: string[];
  destination?: { write(line: string): unknown };
  base?: Record<string, unknown>;
}): Logger {
  const secrets = options.secrets.filter((s) => s.length >= 6);
  const target = options.destination ?? process.stdout;
  const scrubbing: DestinationStream = {
    write(line: string) {
      let safe = line;
      for (const secret of secrets) safe = safe.replaceAll(secret, '[REDACTED]');
      target.write(safe);
    },
  };
  return pino(
    {
      level: options.level,
      base: options.base ?? { service: 'worker' },
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
