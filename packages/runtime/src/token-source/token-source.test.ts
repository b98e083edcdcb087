/**
 * The token source on a real file system: an edit in place, an atomic rename, a Kubernetes-style symlink
 * swap of `..data`, SIGHUP (a real signal to a real process, and an injected one), the debounce of a
 * truncate-then-write, an unusable file that keeps the old token and says so once, and close().
 */
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addSecret } from './add-secret.ts';
import { createTokenSource, type TokenSource, type TokenSourceLogger } from './token-source.ts';

const OLD = 'EAAold-token-0123456789';
const NEW = 'EAAnew-token-9876543210';

const opened: TokenSource[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const source of opened.splice(0)) source.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'token-source-'));
  dirs.push(dir);
  return dir;
}

function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn'; message: string; bindings: Record<string, unknown> }> = [];
  const logger: TokenSourceLogger = {
    info: (bindings, message) => lines.push({ level: 'info', message, bindings }),
    warn: (bindings, message) => lines.push({ level: 'warn', message, bindings }),
  };
  return { lines, logger };
}

function source(options: Parameters<typeof createTokenSource>[0]): TokenSource {
  const created = createTokenSource(options);
  opened.push(created);
  return created;
}

/** The next token the source announces. */
function nextChange(tokens: TokenSource): Promise<string> {
  return new Promise((resolve) => {
    const off = tokens.onChange((token) => {
      off();
      resolve(token);
    });
  });
}

describe('createTokenSource', () => {
  it('keeps a token from the environment: nothing to watch or re-read; the signal is handled and explained', async () => {
    const signals = new EventEmitter();
    const { lines, logger } = recordingLogger();
    const tokens = source({ initial: OLD, reloadSignal: 'SIGHUP', signals, logger });
    tokens.watch();
    expect(tokens.file).toBeUndefined();
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    signals.emit('SIGHUP');
    expect(lines.map((line) => line.message)).toEqual([
      'the token comes from META_ACCESS_TOKEN: nothing to re-read (use META_ACCESS_TOKEN_FILE to rotate without a restart)',
    ]);
    expect(await tokens.reload()).toBe(false);
    expect(tokens.current()).toBe(OLD);
    expect(tokens.reads()).toBe(0);
  });

  it('picks up an edit in place, adds the new token to the live secrets list and tells its listeners', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, `${OLD}\n`);
    const secrets = ['some-other-secret-value'];
    const tokens = source({ initial: OLD, file, pollIntervalMs: 0, debounceMs: 20, secrets });
    tokens.watch();
    const changed = nextChange(tokens);
    writeFileSync(file, `${NEW}\n`);
    expect(await changed).toBe(NEW);
    expect(tokens.current()).toBe(NEW);
    expect(secrets).toEqual(expect.arrayContaining([OLD, NEW, 'some-other-secret-value']));
  });

  it('picks up an atomic rename onto the file (a new inode)', async () => {
    const dir = tempDir();
    const file = join(dir, 'token');
    writeFileSync(file, OLD);
    const tokens = source({ initial: OLD, file, pollIntervalMs: 0, debounceMs: 20 });
    tokens.watch();
    let changed = nextChange(tokens);
    writeFileSync(join(dir, 'token.tmp'), NEW);
    renameSync(join(dir, 'token.tmp'), file);
    expect(await changed).toBe(NEW);
    // The watch followed the new inode: a second rotation is seen too.
    changed = nextChange(tokens);
    writeFileSync(file, `${OLD}-third`);
    expect(await changed).toBe(`${OLD}-third`);
  });

  it('picks up a Kubernetes secret update: the `..data` symlink swapped to a new directory', async () => {
    // The layout kubelet makes: token -> ..data/token, ..data -> ..2026_05_20_09_00_00.1
    const dir = tempDir();
    mkdirSync(join(dir, '..2026_05_20_09_00_00.1'));
    writeFileSync(join(dir, '..2026_05_20_09_00_00.1', 'token'), OLD);
    symlinkSync('..2026_05_20_09_00_00.1', join(dir, '..data'));
    symlinkSync(join('..data', 'token'), join(dir, 'token'));
    const tokens = source({ initial: OLD, file: join(dir, 'token'), pollIntervalMs: 0, debounceMs: 20 });
    tokens.watch();

    const changed = nextChange(tokens);
    // The update: a new timestamped directory and a new link renamed over ..data.
    mkdirSync(join(dir, '..2026_05_20_10_00_00.2'));
    writeFileSync(join(dir, '..2026_05_20_10_00_00.2', 'token'), NEW);
    symlinkSync('..2026_05_20_10_00_00.2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    // The swap alone is seen (the file's own watch still points at the old, untouched file): kubelet
    // removes the old directory only afterwards.
    expect(await changed).toBe(NEW);
    rmSync(join(dir, '..2026_05_20_09_00_00.1'), { recursive: true });
  });

  it('re-reads on the reload signal (injected signal source)', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, OLD);
    const signals = new EventEmitter();
    // A long debounce: only the signal can read the file within the test.
    const tokens = source({
      initial: OLD,
      file,
      pollIntervalMs: 0,
      debounceMs: 60_000,
      reloadSignal: 'SIGHUP',
      signals,
    });
    tokens.watch();
    writeFileSync(file, NEW);
    const changed = nextChange(tokens);
    signals.emit('SIGHUP');
    expect(await changed).toBe(NEW);
    tokens.close();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('re-reads on a real SIGHUP sent to the process', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, OLD);
    const script = fileURLToPath(new URL('../test-support/token-source-sighup-child.ts', import.meta.url));
    const child = spawn(process.execPath, [script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines: string[] = [];
      const waiters: Array<{ want: string; resolve: () => void }> = [];
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        lines.push(...chunk.split('\n').filter(Boolean));
        for (const waiter of [...waiters]) {
          if (lines.includes(waiter.want)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      });
      const line = (want: string) =>
        lines.includes(want)
          ? Promise.resolve()
          : new Promise<void>((resolve) => waiters.push({ want, resolve }));
      await line('ready');
      writeFileSync(file, NEW);
      child.kill('SIGHUP');
      await line(`changed ${NEW.length}`);
      // Still the same process: SIGHUP re-read the file instead of ending it.
      expect(child.exitCode).toBeNull();
      child.stdin.end();
      expect((await once(child, 'exit'))[0]).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('debounces a truncate-then-write into one read of the whole file, with no warning', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, OLD);
    const { lines, logger } = recordingLogger();
    const tokens = source({ initial: OLD, file, pollIntervalMs: 0, debounceMs: 150, logger });
    tokens.watch();
    const seen: string[] = [];
    tokens.onChange((token) => seen.push(token));
    const changed = nextChange(tokens);
    writeFileSync(file, '');
    writeFileSync(file, NEW.slice(0, 5));
    writeFileSync(file, NEW);
    expect(await changed).toBe(NEW);
    await tokens.settled();
    expect(tokens.reads()).toBe(1);
    expect(seen).toEqual([NEW]);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('keeps the old token when the file becomes unusable, says so once per problem, and never logs a token', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, OLD);
    const { lines, logger } = recordingLogger();
    const tokens = source({ initial: OLD, file, pollIntervalMs: 0, logger });

    rmSync(file);
    expect(await tokens.reload()).toBe(false);
    expect(await tokens.reload()).toBe(false);
    mkdirSync(file);
    expect(await tokens.reload()).toBe(false);
    rmSync(file, { recursive: true });
    writeFileSync(file, '  \n');
    expect(await tokens.reload()).toBe(false);
    writeFileSync(file, 'short');
    expect(await tokens.reload()).toBe(false);
    writeFileSync(file, 'two words-in-a-token');
    expect(await tokens.reload()).toBe(false);
    expect(tokens.current()).toBe(OLD);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.bindings.problem)).toEqual([
      'cannot read it (no such file)',
      'cannot read it (it is a directory)',
      'it is empty',
      'it holds fewer than 8 characters',
      'it holds whitespace inside the token',
    ]);
    expect(lines[0]?.message).toBe(
      'META_ACCESS_TOKEN_FILE: cannot read it (no such file); keeping the current token',
    );

    writeFileSync(file, NEW);
    expect(await tokens.reload()).toBe(true);
    expect(tokens.current()).toBe(NEW);
    expect(lines.at(-2)?.message).toBe('META_ACCESS_TOKEN_FILE is readable again');
    expect(JSON.stringify(lines)).not.toContain(OLD);
    expect(JSON.stringify(lines)).not.toContain(NEW);
  });

  it('stops watching on close: a later change is not picked up', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, OLD);
    const tokens = source({ initial: OLD, file, pollIntervalMs: 0, debounceMs: 20 });
    // A second source on the same file, still open: when it has read the change, the closed one would have.
    const control = source({ initial: OLD, file, pollIntervalMs: 0, debounceMs: 20 });
    tokens.watch();
    control.watch();
    tokens.close();
    const changed = nextChange(control);
    writeFileSync(file, NEW);
    expect(await changed).toBe(NEW);
    expect(tokens.reads()).toBe(0);
    expect(tokens.current()).toBe(OLD);
  });
});

describe('addSecret', () => {
  it('keeps the list longest first, without duplicates or short values', () => {
    const secrets = ['a-fairly-long-secret-value', 'short-ok'];
    addSecret(secrets, 'middle-length-value');
    addSecret(secrets, 'middle-length-value');
    addSecret(secrets, 'tiny');
    expect(secrets).toEqual(['a-fairly-long-secret-value', 'middle-length-value', 'short-ok']);
  });
});
