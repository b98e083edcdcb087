/**
 * @module runtime/outage-gate
 * What the worker does while the database does not answer (issue 12.2). A job that meets an error saying
 * "no database" (`isDbUnavailableError`) asks the gate; the gate confirms it with one ping (shared by every
 * job asking at the same time), and when the database is really down:
 *
 * 1. every Worker of this app stops taking jobs (the BullMQ fetch loop is paused, as at shutdown);
 * 2. the jobs in flight are handed back as they meet the outage (`moveToDelayed`, no attempt used: a
 *    database outage is not the job's failure; processors/failures.ts);
 * 3. the gate pings the database with backoff (from `probe.minMs` up to `probe.maxMs`) and, at the first
 *    answer, resumes the Workers (unless the app is closing): the handed-back jobs run again.
 *
 * An error that only looked like an outage (the ping answers) is left to the normal retry rules. Nothing
 * here ever fails a job, so no outage, however long, uses up a job's attempts.
 *
 * @example
 * const gate = createOutageGate({ ping: () => repo.ping({ timeoutMs: 2_000 }), pause, resume, isClosing, logger });
 * if (isDbUnavailableError(error) && (await gate.confirm(error))) return park(..., 'database');
 */
import type { Logger } from 'pino';

export interface OutageState {
  database: 'up' | 'down';
  /** When the outage was confirmed (ISO), while down. */
  since: string | null;
  /** What the first confirming error and ping said, while down. */
  reason: string | null;
  /** Outages confirmed since start. */
  outages: number;
}

export interface OutageGate {
  /** True when the database is down: `error` (a db-unavailable error) is confirmed by a ping. */
  confirm(error: unknown): Promise<boolean>;
  isDown(): boolean;
  state(): OutageState;
  /** Resolves at the next change to `up` (at once when up). */
  whenUp(): Promise<void>;
  /** Stops probing (the app is closing). */
  close(): void;
}

export interface OutageGateOptions {
  /** Rejects when the database does not answer (e.g. `repo.ping({ timeoutMs })`). */
  ping: () => Promise<unknown>;
  /** Stop taking jobs (every Worker's fetch loop). */
  pause: () => Promise<void>;
  /** Take jobs again. */
  resume: () => Promise<void>;
  isClosing: () => boolean;
  logger: Logger;
  /** Ping backoff while down (default 250 ms doubling to 5 s). */
  probe?: { minMs?: number; maxMs?: number };
  /** Called with true/false as the database goes up/down (a metrics gauge). */
  onChange?: (up: boolean) => void;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

export function createOutageGate(options: OutageGateOptions): OutageGate {
  const minMs = options.probe?.minMs ?? 250;
  const maxMs = options.probe?.maxMs ?? 5_000;
  let down: { since: number; reason: string } | null = null;
  let outages = 0;
  let confirming: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let upWaiters: Array<() => void> = [];

  const probe = (delayMs: number) => {
    if (closed) return;
    timer = setTimeout(async () => {
      try {
        await options.ping();
      } catch (error) {
        options.logger.debug({ err: reasonOf(error) }, 'database still unavailable');
        probe(Math.min(delayMs * 2, maxMs));
        return;
      }
      const outageMs = down ? Date.now() - down.since : 0;
      down = null;
      options.onChange?.(true);
      options.logger.warn({ outageMs }, 'the database answers again: taking jobs again');
      for (const resolve of upWaiters) resolve();
      upWaiters = [];
      if (!options.isClosing()) {
        await options.resume().catch((error: unknown) => {
          options.logger.error({ err: error }, 'could not resume the workers after the database outage');
        });
      }
    }, delayMs);
  };

  const goDown = (reason: string) => {
    down = { since: Date.now(), reason };
    outages += 1;
    options.onChange?.(false);
    options.logger.error(
      { reason },
      'the database does not answer: this worker stops taking jobs and hands back the ones in flight (no attempt used) until it answers',
    );
    void options.pause().catch((error: unknown) => {
      options.logger.error({ err: error }, 'could not pause the workers for the database outage');
    });
    probe(minMs);
  };

  return {
    async confirm(error) {
      if (down) return true;
      confirming ??= (async () => {
        try {
          await options.ping();
          return false;
        } catch (pingError) {
          if (!down) goDown(`${reasonOf(error)}; ping: ${reasonOf(pingError)}`);
          return true;
        } finally {
          confirming = null;
        }
      })();
      return confirming;
    },
    isDown: () => down !== null,
    state: () => ({
      database: down ? 'down' : 'up',
      since: down ? new Date(down.since).toISOString() : null,
      reason: down?.reason ?? null,
      outages,
    }),
    whenUp: () => (down ? new Promise<void>((resolve) => upWaiters.push(resolve)) : Promise.resolve()),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const resolve of upWaiters) resolve();
      upWaiters = [];
    },
  };
}
