/**
 * @module token-source
 * Where a process gets the shared access token while it runs: `META_ACCESS_TOKEN` (fixed for the life of
 * the process) or `META_ACCESS_TOKEN_FILE` (the Docker and Kubernetes secrets convention), re-read when it
 * changes, so a rotation needs no restart.
 *
 * Why each trigger exists:
 * - `fs.watch` on the file: an edit in place (`echo new > token`) or an atomic rename onto it.
 * - `fs.watch` on its directory: Kubernetes mounts a secret as `token -> ..data/token` with
 *   `..data -> ..2026_05_20_…`, and updates it by creating a new timestamped directory and renaming a new
 *   `..data` link over the old one; the file's own watch then only sees its old target vanish. The
 *   directory's watch sees the swap.
 * - a poll (default every 10 s): file systems where inotify says nothing (network and some overlay mounts),
 *   and events lost while a watcher was being re-created.
 * - a signal (`SIGHUP`, by the apps' `main`): the operator's explicit "re-read now".
 *
 * Events are debounced (default 200 ms of quiet) so a writer that truncates then writes is read once,
 * whole. A file that cannot be read, is empty, too short or holds whitespace keeps the current token and
 * logs one warning per distinct problem (never the content). Every new token is added to `secrets`, the
 * live list the logger scrubs, before anyone is told about it. The token itself is never logged.
 *
 * @example
 * const tokens = createTokenSource({ initial: config.META_ACCESS_TOKEN, file: config.metaAccessTokenFile,
 *   secrets: config.secrets, logger, reloadSignal: 'SIGHUP' });
 * tokens.onChange(() => logger.info('token changed'));
 * tokens.watch();
 * fetch(url, { headers: { authorization: `Bearer ${tokens.current()}` } });
 */
import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { addSecret } from './add-secret.ts';

/** What the source logs to (a pino logger fits). Messages name the file, never its content. */
export interface TokenSourceLogger {
  info(bindings: Record<string, unknown>, message: string): void;
  warn(bindings: Record<string, unknown>, message: string): void;
}

/** Where the reload signal comes from (default `process`; tests pass an EventEmitter). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface TokenSourceOptions {
  /** The token at start: META_ACCESS_TOKEN, or the file's content as the configuration read it. */
  initial: string;
  /** The file to re-read (META_ACCESS_TOKEN_FILE). Without it the token never changes. */
  file?: string | undefined;
  /** The variable named in log lines (default `META_ACCESS_TOKEN_FILE`). */
  variable?: string;
  /** A shorter file content is refused (default 8, the configuration's minimum). */
  minLength?: number;
  /** Quiet time after a file event before the file is read (default 200 ms). */
  debounceMs?: number;
  /** Re-read the file this often whatever the watches say (default 10,000 ms; 0 = never). */
  pollIntervalMs?: number;
  /** Re-read the file at once on this signal (the apps' main passes `SIGHUP`; default none). */
  reloadSignal?: NodeJS.Signals | undefined;
  signals?: SignalSource;
  /** The live list of values the process scrubs from its output: each new token is added to it. */
  secrets?: string[];
  logger?: TokenSourceLogger | undefined;
}

export interface TokenSource {
  /** The token in use now. */
  current(): string;
  /** The file the token comes from, or undefined for a token from the environment. */
  readonly file: string | undefined;
  /** Called with the new token after it replaced the old one. Returns the unsubscribe function. */
  onChange(listener: (token: string) => void): () => void;
  /**
   * Reads the file now (no debounce). True when the token changed. With a file that cannot be used, the
   * current token stays (a warning is logged) and the answer is false.
   */
  reload(): Promise<boolean>;
  /**
   * Starts the watches, the poll and the signal handler (idempotent; without a file only the signal is
   * handled, so it does not end the process).
   * `reloadSignal` here wins over the one given at creation (a runtime made before it knew it would serve).
   */
  watch(options?: { reloadSignal?: NodeJS.Signals | undefined }): void;
  /** Resolves once no debounced or running read is pending (tests; a shutdown that wants a last read). */
  settled(): Promise<void>;
  /** Reads of the file so far (start-up read excluded). */
  reads(): number;
  /** Stops every watch, timer and handler; the current token stays readable. */
  close(): void;
}

export const DEFAULT_TOKEN_DEBOUNCE_MS = 200;
export const DEFAULT_TOKEN_POLL_INTERVAL_MS = 10_000;

type Problem = { ok: false; problem: string };
type Read = { ok: true; token: string } | Problem;

/** The file's token, or why it cannot be used (pure but for the read). */
async function readToken(file: string, minLength: number): Promise<Read> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? 'unreadable');
    return { ok: false, problem: `cannot read it (${reason})` };
  }
  const token = content.trim();
  if (token === '') return { ok: false, problem: 'it is empty' };
  if (token.length < minLength) return { ok: false, problem: `it holds fewer than ${minLength} characters` };
  if (/\s/.test(token)) return { ok: false, problem: 'it holds whitespace inside the token' };
  return { ok: true, token };
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const file = options.file;
  const variable = options.variable ?? 'META_ACCESS_TOKEN_FILE';
  const minLength = options.minLength ?? 8;
  const debounceMs = options.debounceMs ?? DEFAULT_TOKEN_DEBOUNCE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_TOKEN_POLL_INTERVAL_MS;
  const signals = options.signals ?? process;
  const logger = options.logger;
  const listeners = new Set<(token: string) => void>();
  let token = options.initial;
  if (options.secrets) addSecret(options.secrets, token);

  let reads = 0;
  let lastProblem: string | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let fileWatcher: FSWatcher | undefined;
  let dirWatcher: FSWatcher | undefined;
  let watching = false;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (debounce !== undefined || running !== null) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };

  const readOnce = async (): Promise<boolean> => {
    if (!file) return false;
    reads++;
    const read = await readToken(file, minLength);
    if (!read.ok) {
      if (read.problem !== lastProblem) {
        lastProblem = read.problem;
        logger?.warn(
          { variable, file, problem: read.problem },
          `${variable}: ${read.problem}; keeping the current token`,
        );
      }
      return false;
    }
    if (lastProblem !== null) {
      lastProblem = null;
      logger?.info({ variable, file }, `${variable} is readable again`);
    }
    if (read.token === token) return false;
    if (options.secrets) addSecret(options.secrets, read.token);
    token = read.token;
    logger?.info({ variable, file }, `${variable} holds a new token`);
    for (const listener of [...listeners]) {
      try {
        listener(token);
      } catch (error) {
        logger?.warn({ err: error }, 'a token change listener failed');
      }
    }
    return true;
  };

  /** One read at a time; a request during a read runs one more read after it. */
  const reload = (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let changed = false;
      try {
        do {
          again = false;
          changed = (await readOnce()) || changed;
        } while (again && !closed);
      } finally {
        running = null;
        settleIdle();
      }
      return changed;
    })();
    return running;
  };

  const schedule = () => {
    if (closed) return;
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      // The file's own watch dies with the inode it watched (an atomic rename, a Kubernetes swap).
      watchFile();
      void reload();
    }, debounceMs);
    debounce.unref();
  };

  const watchFile = () => {
    if (!file || closed || !watching) return;
    fileWatcher?.close();
    fileWatcher = undefined;
    try {
      fileWatcher = fsWatch(file, { persistent: false }, schedule);
      fileWatcher.on('error', () => {
        fileWatcher?.close();
        fileWatcher = undefined;
      });
    } catch {
      // The file is missing right now: the directory's watch and the poll will see it come back.
    }
  };

  const watchDirectory = () => {
    if (!file || closed || dirWatcher) return;
    const name = basename(file);
    try {
      dirWatcher = fsWatch(dirname(file), { persistent: false }, (_event, changed) => {
        // Our file, a Kubernetes `..data` swap, or an unnamed event: read again. Other files are ignored.
        if (changed === null || changed === name || String(changed).startsWith('..')) schedule();
      });
      dirWatcher.on('error', () => {
        dirWatcher?.close();
        dirWatcher = undefined;
      });
    } catch {
      // No directory watch here (the poll still runs).
    }
  };

  let reloadSignal = options.reloadSignal;
  const onSignal = () => {
    if (!file) {
      // Still handled: a reload signal must not end the process (its default action).
      logger?.info(
        { signal: reloadSignal },
        'the token comes from META_ACCESS_TOKEN: nothing to re-read (use META_ACCESS_TOKEN_FILE to rotate without a restart)',
      );
      return;
    }
    logger?.info({ variable, file, signal: reloadSignal }, `${variable}: re-reading on signal`);
    void reload();
  };

  return {
    file,
    current: () => token,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload,
    watch(watchOptions = {}) {
      if (watching || closed) return;
      watching = true;
      reloadSignal = watchOptions.reloadSignal ?? reloadSignal;
      if (reloadSignal) signals.on(reloadSignal, onSignal);
      if (!file) return;
      watchFile();
      watchDirectory();
      if (pollIntervalMs > 0) {
        poll = setInterval(() => {
          // Also a chance to get back a watch that died.
          if (!fileWatcher) watchFile();
          if (!dirWatcher) watchDirectory();
          void reload();
        }, pollIntervalMs);
        poll.unref();
      }
    },
    settled() {
      if (debounce === undefined && running === null) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    reads: () => reads,
    close() {
      if (closed) return;
      closed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      debounce = undefined;
      if (poll !== undefined) clearInterval(poll);
      fileWatcher?.close();
      dirWatcher?.close();
      if (watching && reloadSignal) signals.off(reloadSignal, onSignal);
      listeners.clear();
      settleIdle();
    },
  };
}
