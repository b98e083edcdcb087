/**
 * @module children
 * Child processes for the parts whose CPU matters (the worker, the Meta sandbox, the baselines), so each
 * gets its own event loop and its own peak RSS. A child is `node <script>` with an environment and an IPC
 * channel: it sends `{ type: 'ready', ... }` once started, answers `{ type: <request>, id }` messages with
 * `{ type: 'reply', id, ... }`, and on `{ type: 'close' }` shuts down, replies, and exits.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

export interface ChildHandle {
  pid: number;
  /** The `ready` message (e.g. the sandbox URL). */
  ready: ChildMessage;
  /** Sends a request and waits for its reply. */
  request(type: string, body?: Record<string, unknown>, timeoutMs?: number): Promise<ChildMessage>;
  /** Peak resident set (VmHWM) of the child so far, in MiB; null once it exited. */
  peakRssMiB(): number | null;
  /** Asks the child to close (reply carries its own figures), then waits for the exit. */
  close(timeoutMs?: number): Promise<ChildMessage | null>;
  /** Kills the child if still running (SIGKILL). */
  kill(): void;
}

/** VmHWM of a process in MiB, from /proc (Linux); null when unavailable. */
export function peakRssMiBOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

let nextId = 1;

/** Forks `script` with `env` (merged over a minimal PATH/HOME environment) and waits for `ready`. */
export async function startChild(
  script: string,
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; label?: string; execArgv?: string[] } = {},
): Promise<ChildHandle> {
  const label = options.label ?? script;
  const child: ChildProcess = fork(script, [], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: options.execArgv ?? [],
  });
  const pending = new Map<number, (message: ChildMessage) => void>();
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      for (const resolveReply of pending.values()) resolveReply({ type: 'exit', code });
      pending.clear();
      resolve(code);
    }),
  );
  const ready = await new Promise<ChildMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label}: not ready within ${options.readyTimeoutMs ?? 60_000} ms`)),
      options.readyTimeoutMs ?? 60_000,
    );
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${label}: ${String(message.error)}`));
      } else if (message.type === 'reply' && typeof message.id === 'number') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited with ${code} before it was ready`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const pid = child.pid ?? -1;
  const request = (type: string, body: Record<string, unknown> = {}, timeoutMs = 120_000) =>
    new Promise<ChildMessage>((resolve, reject) => {
      if (exited) return reject(new Error(`${label}: already exited`));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: no reply to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.type === 'exit') reject(new Error(`${label}: exited during ${type}`));
        else if (typeof message.error === 'string') reject(new Error(`${label}: ${message.error}`));
        else resolve(message);
      });
      child.send({ ...body, type, id });
    });
  return {
    pid,
    ready,
    request,
    peakRssMiB: () => (exited ? null : peakRssMiBOf(pid)),
    async close(timeoutMs = 60_000) {
      if (exited) return null;
      let reply: ChildMessage | null = null;
      try {
        reply = await request('close', {}, timeoutMs);
      } catch (error) {
        process.stderr.write(`${label}: close failed (${(error as Error).message}); killed\n`);
        child.kill('SIGKILL');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
      return reply;
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/**
 * The child side: sends `ready` with what `start` returns, answers requests with `handlers`, and on
 * `close` runs `close`, replies with its result plus this process's peak RSS, and exits 0.
 */
export function serveChild<T extends Record<string, unknown>>(
  start: () => Promise<{
    ready: T;
    handlers?: Record<string, (message: ChildMessage) => Promise<Record<string, unknown>>>;
    close: () => Promise<Record<string, unknown>>;
  }>,
): void {
  const send = (message: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      if (!process.send) return resolve();
      process.send(message, () => resolve());
    });
  start().then(
    ({ ready, handlers = {}, close }) => {
      process.on('message', (raw) => {
        const message = raw as ChildMessage;
        const id = message.id;
        const handler =
          message.type === 'close'
            ? async () => {
                const result = await close();
                return { ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
              }
            : handlers[message.type];
        if (!handler) {
          void send({ type: 'reply', id, error: `unknown request ${message.type}` });
          return;
        }
        handler(message).then(
          async (result) => {
            await send({ type: 'reply', id, ...result });
            if (message.type === 'close') process.exit(0);
          },
          async (error: unknown) => {
            await send({ type: 'reply', id, error: error instanceof Error ? error.message : String(error) });
            if (message.type === 'close') process.exit(1);
          },
        );
      });
      // The parent going away ends the child too.
      process.on('disconnect', () => process.exit(0));
      void send({ type: 'ready', ...ready });
    },
    async (error: unknown) => {
      await send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
