import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';
import { addSecret } from './token-source/add-secret.ts';

const SECRET = 'fake-token-value-for-tests-123';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe('createLogger', () => {
  it('scrubs configured secrets anywhere in a line and redacts known keys', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', secrets: [SECRET], destination, service: 'test' });
    log.info({ accessToken: 'other', nested: { password: 'pw' } }, `failed with ${SECRET} in the message`);
    const line = JSON.parse(lines[0]!);
    expect(lines.join('')).not.toContain(SECRET);
    expect(line).toMatchObject({
      service: 'test',
      accessToken: '[REDACTED]',
      nested: { password: '[REDACTED]' },
    });
    expect(line.msg).toBe('failed with [REDACTED] in the message');
  });

  it('leaves short "secrets" alone so ordinary words are not scrubbed', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', secrets: ['abc'], destination, service: 'test' }).info('abc stays');
    expect(JSON.parse(lines[0]!).msg).toBe('abc stays');
  });

  it('scrubs a secret added to the list after the logger was made (a rotated token)', () => {
    const { lines, destination } = capture();
    const secrets = [SECRET];
    const log = createLogger({ level: 'info', secrets, destination, service: 'test' });
    const rotated = 'rotated-token-value-for-tests-456';
    addSecret(secrets, rotated);
    log.info(`now ${rotated} and before ${SECRET}`);
    expect(JSON.parse(lines[0]!).msg).toBe('now [REDACTED] and before [REDACTED]');
  });
});
