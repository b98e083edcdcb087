/**
 * @module support/rotation
 * What the rotation suites share (tests/rotation-processes.test.ts, tests/cluster-rotation.test.ts): log
 * lines whose arrival can be awaited (no sleeping: a promise per expected line), a token file written the
 * way secret managers write one (a new file renamed over the old), and the producer service on a worker
 * harness's Redis, database, sandbox and queue prefix, reading its token from the same file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  loadConfig as loadProducerConfig,
  openRuntime,
  type ProducerService,
  type Runtime,
  startProducerService,
} from '@meta-engine/producer';
import { createLogger } from '@meta-engine/runtime';
import type { WorkerHarness } from './worker-harness.ts';

/** JSON log lines (or any lines) collected from one or more outputs, each awaitable when it arrives. */
export class LineLog {
  readonly lines: string[] = [];
  private readonly waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  private buffer = '';

  /** A destination for pino (`{ write(line) }`). */
  readonly destination = { write: (line: string) => this.push(line) };

  /** Feeds a chunk of a stream (lines split on newlines). */
  chunk(data: Buffer | string): void {
    this.buffer += data.toString();
    const parts = this.buffer.split('\n');
    this.buffer = parts.pop() ?? '';
    for (const part of parts) if (part) this.push(part);
  }

  push(line: string): void {
    const trimmed = line.trimEnd();
    this.lines.push(trimmed);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(trimmed)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(trimmed);
      }
    }
  }

  /** The JSON records (other lines skipped). */
  records(): Array<Record<string, unknown>> {
    return this.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Records whose `msg` is `msg` (and whose fields match `fields`). */
  find(msg: string, fields: Record<string, unknown> = {}): Array<Record<string, unknown>> {
    return this.records().filter(
      (record) => record.msg === msg && Object.entries(fields).every(([key, value]) => record[key] === value),
    );
  }

  /** Resolves with the first record (already seen or still to come) whose `msg` and fields match. */
  waitFor(msg: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const matches = (line: string) => {
      if (!line.startsWith('{')) return false;
      const record = JSON.parse(line) as Record<string, unknown>;
      return record.msg === msg && Object.entries(fields).every(([key, value]) => record[key] === value);
    };
    const seen = this.lines.find(matches);
    if (seen) return Promise.resolve(JSON.parse(seen));
    return new Promise((resolve) => {
      this.waiters.push({ match: matches, resolve: (line) => resolve(JSON.parse(line)) });
    });
  }
}

/** Writes `token` the way Docker/Kubernetes tooling replaces a secret: a new file renamed over the old. */
export function replaceTokenFile(file: string, token: string): void {
  const temporary = join(dirname(file), `.token-${process.pid}-${Date.now()}.tmp`);
  writeFileSync(temporary, `${token}\n`);
  renameSync(temporary, file);
}

export interface RotationProducer {
  runtime: Runtime;
  service: ProducerService;
  close(): Promise<void>;
}

/** `producer serve` in-process on the harness (its prefix, database and Redis), its token from `tokenFile`. */
export async function startRotationProducer(
  h: WorkerHarness,
  tokenFile: string,
  log: LineLog,
  extra: Record<string, string> = {},
): Promise<RotationProducer> {
  const env: NodeJS.ProcessEnv = {
    ...h.workerEnv({
      META_ACCESS_TOKEN_FILE: tokenFile,
      ADMIN_USER: 'operator',
      ADMIN_PASSWORD: 'rotation-test-password',
      ADMIN_PORT: '0',
      // No scheduled run may start in the middle of a test.
      SCHEDULE_VALIDATE: 'off',
      SCHEDULE_REFRESH_CACHE: 'off',
      SCHEDULE_COLLECT_INSIGHTS: 'off',
      ...extra,
    }),
  };
  delete env.META_ACCESS_TOKEN;
  const config = loadProducerConfig(env, { token: true, admin: true });
  const logger = createLogger({
    level: 'info',
    secrets: config.secrets,
    destination: log.destination,
    service: 'producer',
  });
  const runtime = await openRuntime(config, { logger, redis: h.stack.redisTarget });
  try {
    const service = await startProducerService(runtime, { port: 0, rotateOnStart: false });
    return { runtime, service, close: () => service.close() };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
