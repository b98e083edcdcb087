import { describe, expect, it } from 'vitest';
import { isInvalidJobDataError } from './errors/invalid-job-data-error.ts';
import {
  assertValidJobId,
  buildClientJob,
  buildFanoutJob,
  DEFAULT_JOB_OPTIONS,
  deduplicationIdFor,
  deduplicationIdsFor,
  defaultJobOptionsFor,
  fanoutJobIdFor,
  jobIdFor,
  parseJobData,
} from './jobs.ts';
import { ALL_QUEUE_NAMES, CLIENT_TASKS, type QueueName } from './names.ts';

const CLIENT = '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d';
const UPPER = '6F1C2B9E-3D4A-4F5B-8C7D-9E0F1A2B3C4D';

const SINGLE_JOB_TASKS = CLIENT_TASKS.filter((task) => task !== 'summaries');

describe('job ids', () => {
  it.each(SINGLE_JOB_TASKS)('%s ids and deduplication ids never contain ":"', (task) => {
    const ids = [
      jobIdFor(task, CLIENT),
      jobIdFor(task, CLIENT, 'run-2026_01'),
      deduplicationIdFor(task, CLIENT),
    ];
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(jobIdFor(task, CLIENT)).toBe(`${task}-${CLIENT}`);
    expect(jobIdFor(task, CLIENT, 'r1')).toBe(`${task}-${CLIENT}-r1`);
    expect(deduplicationIdFor(task, UPPER)).toBe(`${task}-${CLIENT}`);
  });

  it('summaries ids carry the period kind, so one client has a monthly and a weekly job', () => {
    expect(jobIdFor('summaries', CLIENT, 'r1', 'monthly')).toBe(`summaries-${CLIENT}-monthly-r1`);
    expect(deduplicationIdFor('summaries', UPPER, 'weekly')).toBe(`summaries-${CLIENT}-weekly`);
    expect(deduplicationIdsFor('summaries', CLIENT)).toEqual([
      `summaries-${CLIENT}-monthly`,
      `summaries-${CLIENT}-weekly`,
    ]);
    expect(deduplicationIdsFor('validate', CLIENT)).toEqual([`validate-${CLIENT}`]);
    expect(() => jobIdFor('summaries', CLIENT)).toThrow('task summaries needs one of monthly, weekly');
    expect(() => jobIdFor('validate', CLIENT, undefined, 'monthly')).toThrow('task validate has no variants');
    const built = buildClientJob('summaries', {
      clientId: CLIENT,
      adAccountId: '1',
      kind: 'weekly',
      runId: 'r2',
    });
    expect(built.opts).toEqual({
      jobId: `summaries-${CLIENT}-weekly-r2`,
      deduplication: { id: `summaries-${CLIENT}-weekly` },
    });
  });

  it('fan-out ids carry the task and run', () => {
    expect(fanoutJobIdFor('collect-insights', 'r7')).toBe('fanout-collect-insights-r7');
  });

  it.each([
    ['a run id with ":"', () => jobIdFor('validate', CLIENT, 'a:b'), /letters, digits/],
    ['a client id that is no UUID', () => jobIdFor('validate', 'client-1'), /UUID/],
    ['a raw id with ":"', () => assertValidJobId('validate:1'), /without ":"/],
    ['an all-digit id', () => assertValidJobId('12345'), /not all digits/],
  ])('rejects %s', (_label, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('job schemas', () => {
  const good: Record<QueueName, unknown> = {
    validate: { clientId: CLIENT, adAccountId: 'act_123', runId: 'r1' },
    'refresh-cache': { clientId: CLIENT, adAccountId: '123' },
    'collect-insights': {
      clientId: CLIENT,
      adAccountId: '123',
      since: '2026-01-01',
      until: '2026-02-01',
      step: { phase: 'report_pending', reportRunId: '6012345678901' },
    },
    summaries: { clientId: CLIENT, adAccountId: '123', kind: 'monthly', recollect: true, runId: 'r1' },
    'drift-check': { clientId: CLIENT, adAccountId: '123', runId: 'r1' },
    fanout: { task: 'validate', runId: 'r1', clientIds: [CLIENT], trigger: 'rotation' },
  };

  it('a fan-out queued by an older producer (with the retired priority field) still runs, without it', () => {
    const data = parseJobData('fanout', {
      task: 'collect-insights',
      runId: 'r1',
      priority: 5,
      trigger: 'schedule',
    });
    expect(data).toEqual({ task: 'collect-insights', runId: 'r1', trigger: 'schedule' });
  });

  it.each(ALL_QUEUE_NAMES)('%s accepts a good payload', (queue) => {
    expect(() => parseJobData(queue, good[queue])).not.toThrow();
  });

  it('fills step defaults and lower-cases client ids', () => {
    const data = parseJobData('collect-insights', {
      clientId: UPPER,
      adAccountId: '123',
      step: { phase: 'start' },
    });
    expect(data.clientId).toBe(CLIENT);
    expect(data.step).toEqual({ phase: 'start', polls: 0 });
  });

  it('keeps a malformed ad account id for the worker to report (only unsafe characters are rejected)', () => {
    expect(parseJobData('validate', { clientId: CLIENT, adAccountId: 'abc-not-an-id' }).adAccountId).toBe(
      'abc-not-an-id',
    );
  });

  it.each([
    ['validate', { adAccountId: '1' }, 'invalid validate job data: clientId: required'],
    ['validate', { clientId: 'nope', adAccountId: '1' }, 'clientId: must be a UUID'],
    ['validate', { clientId: CLIENT, adAccountId: '' }, 'adAccountId: must not be empty'],
    ['validate', { clientId: CLIENT, adAccountId: 'act:1' }, 'adAccountId: must not contain'],
    [
      'validate',
      { clientId: CLIENT, adAccountId: '1', accessToken: 'EAAB' },
      'unexpected field(s) accessToken',
    ],
    ['refresh-cache', { clientId: CLIENT, adAccountId: '1', runId: 'a b' }, 'runId: may contain only'],
    ['refresh-cache', { clientId: CLIENT, adAccountId: 'x'.repeat(65) }, 'adAccountId: must be at most 64'],
    [
      'collect-insights',
      { clientId: CLIENT, adAccountId: '1', since: '2026-13-01' },
      'since: must be a date',
    ],
    [
      'collect-insights',
      { clientId: CLIENT, adAccountId: '1', since: '2026-02-01', until: '2026-01-01' },
      'since: since must not be after until',
    ],
    [
      'collect-insights',
      { clientId: CLIENT, adAccountId: '1', step: { phase: 'done' } },
      'step.phase: must be one of',
    ],
    [
      'fanout',
      { task: 'nope', runId: 'r1' },
      'task: must be one of validate, refresh-cache, collect-insights, summaries, drift-check',
    ],
    ['summaries', { clientId: CLIENT, adAccountId: '1' }, 'kind: must be one of monthly, weekly'],
    ['summaries', { clientId: CLIENT, adAccountId: '1', kind: 'daily' }, 'kind: must be one of'],
    [
      'fanout',
      { task: 'validate', runId: 'r1', kinds: ['monthly'] },
      'kinds: kinds apply only to the summaries task',
    ],
    ['fanout', { task: 'validate' }, 'runId: required'],
    ['fanout', { task: 'validate', runId: 'r', accessToken: 'x' }, 'unexpected field(s) accessToken'],
    ['fanout', { task: 'validate', runId: 'r', trigger: 'cron' }, 'trigger:'],
    ['fanout', null, 'invalid fanout job data:'],
    // Issue 12.7: a value of the wrong type says so instead of "required".
    ['validate', { clientId: CLIENT, adAccountId: 123456 }, 'adAccountId: expected a string, got a number'],
    ['validate', { clientId: CLIENT, adAccountId: null }, 'adAccountId: expected a string, got null'],
    ['validate', [CLIENT, '1'], 'invalid validate job data: expected an object, got an array'],
    [
      'fanout',
      { task: 'validate', runId: 'r', clientIds: 'abc' },
      'clientIds: expected an array, got a string',
    ],
  ] as const)('%s rejects %j', (queue, data, message) => {
    let caught: unknown;
    try {
      parseJobData(queue, data);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidJobDataError(caught)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});

describe('built jobs and options', () => {
  it('a client job has its id, a deduplication id per (task, client) and no token', () => {
    const job = buildClientJob(
      'refresh-cache',
      { clientId: CLIENT, adAccountId: 'act_1', runId: 'r9' },
      { priority: 3 },
    );
    expect(job).toEqual({
      name: 'refresh-cache',
      data: { clientId: CLIENT, adAccountId: 'act_1', runId: 'r9' },
      opts: {
        jobId: `refresh-cache-${CLIENT}-r9`,
        deduplication: { id: `refresh-cache-${CLIENT}` },
        priority: 3,
      },
    });
  });

  it('a fan-out job is validated and named after its run', () => {
    expect(buildFanoutJob({ task: 'validate', runId: 'r1' }).opts.jobId).toBe('fanout-validate-r1');
    expect(() => buildFanoutJob({ task: 'validate', runId: 'r1', clientIds: [] })).toThrow(/clientIds/);
  });

  it('default options retry with jittered exponential backoff and bound retention', () => {
    expect(DEFAULT_JOB_OPTIONS).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', jitter: 0.5 },
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 14 * 86_400 },
    });
    expect(defaultJobOptionsFor('fanout').attempts).toBe(3);
    expect(defaultJobOptionsFor('validate')).toEqual(DEFAULT_JOB_OPTIONS);
  });
});
