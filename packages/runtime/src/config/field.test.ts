import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isConfigError } from './config-error.ts';
import { field } from './field.ts';
import { parseEnv } from './parse-env.ts';

/** Reads one variable X with `schema` the way every app does (parseEnv): its value, or its one problem. */
function read(schema: z.ZodType, raw: string | undefined): { value: unknown } | { problem: string } {
  try {
    return { value: parseEnv(z.object({ X: schema }), { X: raw }).X };
  } catch (error) {
    if (!isConfigError(error)) throw error;
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.variable).toBe('X');
    return { problem: error.issues[0]!.problem };
  }
}

const value = (v: unknown) => ({ value: v });
const problem = (p: string) => ({ problem: p });

type Row = [string | undefined, { value: unknown } | { problem: string }];

const dir = mkdtempSync(join(tmpdir(), 'runtime-field-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('field helpers: input -> value or message', () => {
  const cases: Array<[string, z.ZodType, Row[]]> = [
    [
      'integer({ min: 1, max: 100 })',
      field.integer({ min: 1, max: 100 }),
      [
        ['5', value(5)],
        [' 5 ', value(5)],
        ['\t42\n', value(42)],
        ['100', value(100)],
        ['abc', problem("expected an integer, got 'abc'")],
        ['1e3', problem("expected an integer, got '1e3'")],
        [' 0x10 ', problem("expected an integer, got '0x10'")],
        ['5.0', problem("expected an integer, got '5.0'")],
        ['+5', problem("expected an integer, got '+5'")],
        ['1_000', problem("expected an integer, got '1_000'")],
        ['0', problem("must be at least 1, got '0'")],
        ['-3', problem("must be at least 1, got '-3'")],
        ['101', problem("must be at most 100, got '101'")],
        ['', problem('is required')],
        ['   ', problem('is required')],
        [undefined, problem('is required')],
      ],
    ],
    [
      'integer() (signed)',
      field.integer(),
      [
        ['-7', value(-7)],
        ['-0', value(0)],
        ['99999999999999999999', problem("must be at most 9007199254740991, got '99999999999999999999'")],
      ],
    ],
    [
      'number({ above: 0, max: 1e7 })',
      field.number({ above: 0, max: 1e7 }),
      [
        ['3600', value(3600)],
        [' 0.5 ', value(0.5)],
        ['.25', value(0.25)],
        ['0', problem("must be above 0, got '0'")],
        ['1e3', problem("expected a number, got '1e3'")],
        ['0x10', problem("expected a number, got '0x10'")],
        ['Infinity', problem("expected a number, got 'Infinity'")],
        ['20000000', problem("must be at most 10000000, got '20000000'")],
      ],
    ],
    [
      'number({ min: 0 })',
      field.number({ min: 0 }),
      [
        ['0', value(0)],
        ['-0.5', problem("must be at least 0, got '-0.5'")],
      ],
    ],
    [
      'ratio()',
      field.ratio(),
      [
        ['0.8', value(0.8)],
        ['1', value(1)],
        ['0', problem("must be above 0, got '0'")],
        ['1.5', problem("must be at most 1, got '1.5'")],
        ['80%', problem("expected a number, got '80%'")],
      ],
    ],
    [
      'boolean()',
      field.boolean(),
      [
        ['true', value(true)],
        ['FALSE', value(false)],
        [' yes ', value(true)],
        ['no', value(false)],
        ['1', value(true)],
        ['0', value(false)],
        ['maybe', problem("expected true or false (or 1/0, yes/no), got 'maybe'")],
        ['', problem('is required')],
      ],
    ],
    [
      'port()',
      field.port(),
      [
        ['0', value(0)],
        [' 3000 ', value(3000)],
        ['65535', value(65535)],
        ['65536', problem("expected a port from 0 to 65535, got '65536'")],
        ['1e3', problem("expected a port from 0 to 65535, got '1e3'")],
        [' 0x10 ', problem("expected a port from 0 to 65535, got '0x10'")],
        ['-1', problem("expected a port from 0 to 65535, got '-1'")],
      ],
    ],
    [
      'logLevel()',
      field.logLevel(),
      [
        ['debug', value('debug')],
        ['INFO', value('info')],
        ['silent', value('silent')],
        ['loud', problem("expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'")],
      ],
    ],
    [
      "oneOf(['development', 'standard'])",
      field.oneOf(['development', 'standard']),
      [
        ['standard', value('standard')],
        ['full', problem("expected one of development, standard, got 'full'")],
      ],
    ],
    [
      'durationMs()',
      field.durationMs(),
      [
        ['250', value(250)],
        [' 60000 ', value(60000)],
        ['0', problem("must be at least 1, got '0'")],
        ['5s', problem("expected a duration in milliseconds (an integer), got '5s'")],
        ['1e3', problem("expected a duration in milliseconds (an integer), got '1e3'")],
      ],
    ],
    [
      'timeZone()',
      field.timeZone(),
      [
        ['Europe/Warsaw', value('Europe/Warsaw')],
        ['UTC', value('UTC')],
        ['Pacific/Auckland', value('Pacific/Auckland')],
        [
          'Mars/Olympus',
          problem("expected an IANA time zone such as Europe/Warsaw or UTC, got 'Mars/Olympus'"),
        ],
      ],
    ],
    [
      "url({ protocols: ['redis:', 'rediss:'] })",
      field.url({ protocols: ['redis:', 'rediss:'] }),
      [
        ['redis://127.0.0.1:6379', value('redis://127.0.0.1:6379')],
        [' rediss://u:p@host:6380/0 ', value('rediss://u:p@host:6380/0')],
        ['http://user:hunter2@host', problem('expected a redis:// or rediss:// URL, got http://…')],
        ['hunter2-not-a-url', problem('expected a redis:// or rediss:// URL')],
        ['redis://', problem('expected a redis:// or rediss:// URL with a host')],
      ],
    ],
    [
      'hostPortList()',
      field.hostPortList(),
      [
        ['10.0.0.1:7000', value(['10.0.0.1:7000'])],
        [
          ' a.example:7000 , b.example:7001,[::1]:7002 ',
          value(['a.example:7000', 'b.example:7001', '[::1]:7002']),
        ],
        ['a:7000,', problem('has an empty entry; expected host:port[,host:port...]')],
        [',', problem('has an empty entry; expected host:port[,host:port...]')],
        ['a.example', problem("expected host:port[,host:port...], got 'a.example'")],
        ['a:0', problem("expected host:port[,host:port...], got 'a:0'")],
        ['a:1e3', problem("expected host:port[,host:port...], got 'a:1e3'")],
        [':7000', problem("expected host:port[,host:port...], got ':7000'")],
        ['redis://a:7000', problem("expected host:port[,host:port...], got 'redis://a:7000'")],
      ],
    ],
    [
      "matching(/^v\\d+\\.\\d+$/, 'a version such as v26.0')",
      field.matching(/^v\d+\.\d+$/, 'a version such as v26.0'),
      [
        ['v26.0', value('v26.0')],
        ['26', problem("expected a version such as v26.0, got '26'")],
      ],
    ],
    [
      'secret({ minLength: 8 })',
      field.secret({ minLength: 8, hint: 'the system-user access token' }),
      [
        [' EAAtoken-value ', value('EAAtoken-value')],
        ['short', problem('must be the system-user access token (at least 8 characters)')],
      ],
    ],
    [
      'text()',
      field.text(),
      [
        [' 0.0.0.0 ', value('0.0.0.0')],
        ['', problem('is required')],
      ],
    ],
  ];

  describe.each(cases)('%s', (_name, schema, rows) => {
    it.each(rows)('%j', (raw, expected) => {
      expect(read(schema, raw)).toEqual(expected);
    });
  });

  it('a URL problem never echoes the value (it may hold a password)', () => {
    const result = read(field.url({ protocols: ['redis:'] }), 'http://user:hunter2@host');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('echoes at most 40 characters of a value', () => {
    expect(read(field.integer(), 'x'.repeat(60))).toEqual(
      problem(`expected an integer, got '${'x'.repeat(40)}…'`),
    );
  });

  it('applies defaults and optional the zod way, for missing and empty alike', () => {
    expect(read(field.port().default(3000), undefined)).toEqual(value(3000));
    expect(read(field.port().default(3000), '  ')).toEqual(value(3000));
    expect(read(field.boolean().optional(), '')).toEqual(value(undefined));
  });

  it('checked() turns the owner rule into a message (QUEUE_PREFIX with a one-hash-tag rule)', () => {
    const oneHashTag = (prefix: string) => {
      if (/\{[^}]*\}.*\{/.test(prefix) || /[\s]/.test(prefix))
        throw new Error(`invalid queue prefix "${prefix}"`);
      return prefix;
    };
    expect(read(field.checked(oneHashTag), ' app:{meta} ')).toEqual(value('app:{meta}'));
    expect(read(field.checked(oneHashTag), '{a}{b}')).toEqual(problem('invalid queue prefix "{a}{b}"'));
  });
});

describe('field.secretFile', () => {
  const schema = field.secretFile({ minLength: 8, hint: 'the system-user access token' });

  it('reads and trims the file, yielding its path and content', () => {
    const path = join(dir, 'token');
    writeFileSync(path, '  EAAfile-token-value\n');
    expect(read(schema, ` ${path} `)).toEqual(value({ path, value: 'EAAfile-token-value' }));
  });

  it.each([
    ['missing', () => join(dir, 'nope'), (p: string) => `cannot read ${p} (no such file)`],
    ['a directory', () => dir, (p: string) => `cannot read ${p} (it is a directory)`],
    [
      'empty',
      () => {
        const path = join(dir, 'empty');
        writeFileSync(path, ' \n\n');
        return path;
      },
      (p: string) => `${p} is empty; it must hold the system-user access token`,
    ],
    [
      'too short',
      () => {
        const path = join(dir, 'short');
        writeFileSync(path, 'EAAab\n');
        return path;
      },
      (p: string) => `${p} does not hold the system-user access token (expected at least 8 characters)`,
    ],
  ])('names the path when the file is %s, never the content', (_case, make, message) => {
    const path = make();
    const result = read(schema, path);
    expect(result).toEqual(problem(message(path)));
    expect(JSON.stringify(result)).not.toContain('EAAab');
  });
});
