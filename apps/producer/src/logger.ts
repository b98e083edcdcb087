/**
 * @module logger
 * pino JSON logs (to stderr, so CLI output on stdout stays clean) with two layers of secret protection:
 * `redact` for known key names, and a destination that replaces every configured secret (the token, the
 * service-role key, the admin password) anywhere in the serialized line.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export function createLogger(options: {
  level: string;
  secrets: readonly string[];
  destination?: { write(line: string): unknown };
}): Logger {
  const secrets = options.secrets.filter((s) => s.length >= 6);
  const target = options.destination ?? process.stderr;
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
      base: { service: 'producer' },
      redact: {
        paths: [
          'token',
          '*.token',
          'accessToken',
          '*.accessToken',
          'access_token',
          '*.access_token',
          'password',
          '*.password',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'serviceRoleKey',
          '*.serviceRoleKey',
        ],
        censor: '[REDACTED]',
      },
    },
    scrubbing,
  );
}
