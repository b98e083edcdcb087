/**
 * A process with a token source on the file named by argv[2] that reloads on SIGHUP only: its debounce is
 * a minute, so a file watch cannot read the file during the test. Prints `ready`, then `changed <length>`
 * for each new token (never the token). Used by token-source.test.ts to send a real signal.
 */
import { createTokenSource } from '../token-source/token-source.ts';

const file = process.argv[2] ?? '';
const tokens = createTokenSource({
  initial: 'initial-token-0000',
  file,
  debounceMs: 60_000,
  pollIntervalMs: 0,
  reloadSignal: 'SIGHUP',
});
tokens.onChange((token) => process.stdout.write(`changed ${token.length}\n`));
tokens.watch();
process.stdin.resume();
process.stdin.on('end', () => {
  tokens.close();
  process.exit(0);
});
process.stdout.write('ready\n');
