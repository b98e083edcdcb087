import { randomUUID } from 'node:crypto';
import { createWorkerConnection } from '@meta-engine/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOutput } from '../cli/output.ts';
import { EXIT, UsageError } from '../cli/usage-error.ts';
import type { Runtime } from '../runtime.ts';
import { startTestStack, type TestStack } from '../test-support/stack.ts';
import { type EnqueueFlags, parse, run } from './enqueue.ts';

const NOW = new Date('2026-03-10T12:00:00Z');

describe('enqueue flags (strict, checked before anything runs)', () => {
  it.each([
    [['validate', '--all', '--bogus'], "Unknown option '--bogus'"],
    [['validate'], 'say which clients: --all or --client <id>'],
    [['validate', '--all', '--client', 'a'], '--all and --client cannot be combined'],
    [['sync', '--all'], 'unknown task "sync"'],
    [[], 'missing the task'],
    [['validate', 'refresh-cache', '--all'], 'unexpected argument: refresh-cache'],
    [
      ['validate', '--all', '--since', '2026-01-01', '--until', '2026-01-02'],
      '--since/--until apply only to collect-insights',
    ],
    [['collect-insights', '--all', '--since', '2026-01-01'], 'give both --since and --until'],
    [
      ['collect-insights', '--all', '--since', '01/02/2026', '--until', '2026-01-02'],
      'is not a date as YYYY-MM-DD',
    ],
    [
      ['collect-insights', '--all', '--since', '2026-02-30', '--until', '2026-03-01'],
      'is not a real calendar date',
    ],
    [
      ['collect-insights', '--all', '--since', '2026-03-02', '--until', '2026-03-01'],
      'since 2026-03-02 is after until 2026-03-01',
    ],
    [
      ['collect-insights', '--all', '--since', '2026-03-01', '--until', '2062-03-01'],
      '--until 2062-03-01 is after today (2026-03-10, UTC)',
    ],
    [
      ['collect-insights', '--all', '--since', '2026-03-01', '--until', '2026-03-11'],
      '--until 2026-03-11 is after today',
    ],
    // Issue 12.6: Meta keeps 37 months; 2026-03-10 minus 37 months plus a day is 2023-02-11.
    [
      ['collect-insights', '--all', '--since', '1900-01-01', '--until', '1900-01-31'],
      '--since 1900-01-01 is before 2023-02-11: Meta keeps insights for 37 months',
    ],
    [
      ['collect-insights', '--all', '--since', '2023-02-10', '--until', '2023-03-01'],
      '--since 2023-02-10 is before',
    ],
    [['validate', '--client', ''], '--client needs a client id'],
    [['validate', '--all', '--wait=yes'], "Option '--wait' does not take an argument"],
    [['validate', '--all', '--kind', 'monthly'], '--kind applies only to summaries, not to validate'],
    [['summaries', '--all', '--kind', 'daily'], '--kind "daily": expected monthly or weekly'],
  ])('%j -> %s', (argv, message) => {
    expect(() => parse(argv, NOW)).toThrow(UsageError);
    expect(() => parse(argv, NOW)).toThrow(message);
  });

  it('accepts repeated and comma-separated client ids and a date range for collect-insights', () => {
    expect(
      parse(
        [
          'collect-insights',
          '--client',
          'a,b',
          '--client',
          'a',
          '--since',
          '2026-01-01',
          '--until',
          '2026-01-31',
          '--wait',
        ],
        NOW,
      ),
    ).toEqual({
      request: { task: 'collect-insights', clientIds: ['a', 'b'], since: '2026-01-01', until: '2026-01-31' },
      wait: true,
    });
    expect(parse(['validate', '--all'], NOW)).toEqual({ request: { task: 'validate' }, wait: false });
    // The first day of the history and today itself are fine.
    expect(
      parse(['collect-insights', '--all', '--since', '2023-02-11', '--until', '2026-03-10'], NOW).request,
    ).toEqual({ task: 'collect-insights', since: '2023-02-11', until: '2026-03-10' });
  });

  it('takes the summaries kinds (default both)', () => {
    expect(parse(['summaries', '--all', '--kind', 'weekly,weekly'], NOW).request).toEqual({
      task: 'summaries',
      kinds: ['weekly'],
    });
    expect(parse(['drift-check', '--client', 'a'], NOW).request).toEqual({
      task: 'drift-check',
      clientIds: ['a'],
    });
  });
});

describe('enqueue --wait (real Redis and database, an in-test worker)', () => {
  let t: TestStack;
  let runtime: Runtime;
  let ids: string[];

  beforeAll(async () => {
    t = await startTestStack();
    ids = t.seedClients(5, { prefix: 'Wait' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  /**
   * A worker that takes one job per released permit: the test releases one permit per progress frame,
   * so every frame shows the run one step further, with no timing involved. `failing` jobs fail at once.
   */
  function gatedWorker(failing: Set<string>) {
    const permits: Array<() => void> = [];
    const waiting: Array<() => void> = [];
    const release = () => {
      const next = waiting.shift();
      if (next) next();
      else permits.push(() => {});
    };
    const take = () =>
      new Promise<void>((resolve) => {
        if (permits.shift()) resolve();
        else waiting.push(resolve);
      });
    const connection = createWorkerConnection(t.stack.redisUrl);
    const worker = new Worker(
      'validate',
      async (job) => {
        await take();
        if (failing.has(job.data.clientId))
          throw new UnrecoverableError(`ad account ${job.data.adAccountId} is disabled`);
        return { outcome: 'active' };
      },
      { connection, prefix: runtime.config.queuePrefix, concurrency: 1 },
    );
    return {
      release,
      close: async () => {
        for (const resolve of waiting.splice(0)) resolve();
        await worker.close();
        await connection.quit();
      },
    };
  }

  function deps(out: MemoryOutput, err = new MemoryOutput()) {
    return {
      directory: runtime.directory,
      fanout: runtime.fanout,
      runs: runtime.runs,
      pauses: runtime.pauses,
      out,
      err,
      waitIntervalMs: 5,
      plainIntervalMs: 0,
    };
  }

  it('draws a live progress bar on a TTY and exits 1 when a job failed', async () => {
    runtime = await t.runtime();
    const worker = gatedWorker(new Set([ids[2]!]));
    const out = new MemoryOutput({ isTTY: true, columns: 120 });
    const original = out.write.bind(out);
    out.write = (text: string) => {
      if (text.startsWith('\r')) worker.release();
      return original(text);
    };
    const flags: EnqueueFlags = { request: { task: 'validate', clientIds: ids }, wait: true };
    const code = await run(flags, deps(out));
    await worker.close();

    expect(code).toBe(EXIT.failure);
    const frames = out.text.split('\r\x1b[2K').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(frames[0]).toMatch(
      /validate \[░+\]\s+0%\s+done 0\/5\s+failed 0\s+pending 5 \((prioritized|active) /,
    );
    expect(frames.some((f) => /done [1-3]\/5/.test(f))).toBe(true);
    expect(frames.at(-1)).toMatch(/\[█+▓+\] 100%\s+done 4\/5\s+failed 1\s+pending 0\s+finished/);
    expect(out.text).toMatch(
      /run run-validate-\S+: validate for 5 client\(s\): 5 job\(s\) created, 0 already pending/,
    );
    expect(out.text).toContain('finished: 4 done, 1 failed of 5');
    expect(out.text).toContain('failed jobs: see Bull Board');
  });

  it('prints plain lines off a TTY and exits 0 when every job completed', async () => {
    runtime = await t.runtime();
    const worker = gatedWorker(new Set());
    const out = new MemoryOutput({ isTTY: false });
    const original = out.write.bind(out);
    out.write = (text: string) => {
      if (/ \d\/\d done/.test(text)) worker.release();
      return original(text);
    };
    const code = await run(
      { request: { task: 'validate', clientIds: ids.slice(0, 3) }, wait: true },
      deps(out),
    );
    await worker.close();

    expect(code).toBe(EXIT.ok);
    const lines = out.text.split('\n').filter((l) => /^\d{4}-.* done, /.test(l));
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z run-validate-\S+: 0\/3 done, 0 failed, 3 pending \(/);
    expect(lines.at(-1)).toMatch(/: 3\/3 done, 0 failed, 0 pending; finished$/);
    expect(out.text).not.toContain('\x1b');
    expect(out.text).toContain('finished: 3 done, 0 failed of 3');
  });

  it('names unknown client ids, exits 2 and enqueues nothing', async () => {
    runtime = await t.runtime();
    const out = new MemoryOutput();
    const err = new MemoryOutput();
    const unknown = randomUUID();
    const code = await run(
      { request: { task: 'validate', clientIds: [ids[0]!, unknown] }, wait: true },
      deps(out, err),
    );
    expect(code).toBe(EXIT.usage);
    expect(err.text).toBe(`producer enqueue: unknown client id: ${unknown}; nothing was enqueued\n`);
    expect(out.text).toBe('');
    const counts = await runtime.queues.validate.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('counts and names every client it leaves out, those without an ad account too (issue 12.5)', async () => {
    runtime = await t.runtime();
    const googleOnly = t.sql(
      `insert into public.clients (admin_id, name, email, ad_account_id, api_status) values ('00000000-0000-4000-8000-000000000001', 'Google only', 'g-${randomUUID()}@example.com', '', 'valid') returning id`,
    );
    const out = new MemoryOutput();
    const code = await run({ request: { task: 'validate' }, wait: false }, deps(out));
    expect(code).toBe(EXIT.ok);
    expect(out.text).toMatch(/: \d+ job\(s\) created, \d+ already pending \(followed\), 1 left out\n/);
    expect(out.text).toContain(
      `  left out: ${googleOnly}: no Meta ad account (clients.ad_account_id is empty)\n`,
    );
    t.sql(`delete from public.clients where id = '${googleOnly}'`);
  });
});
