import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from './args.ts';

describe('parseDemoArgs (node:util parseArgs, strict)', () => {
  it.each([
    [[], { once: false, clients: 25, port: undefined, help: false }],
    [['--once', '--clients', '8', '--port', '0'], { once: true, clients: 8, port: 0, help: false }],
    [['--clients=4', '--port= 3001 '], { once: false, clients: 4, port: 3001, help: false }],
    [['-h'], { once: false, clients: 25, port: undefined, help: true }],
    [['--', '--once'], { once: true, clients: 25, port: undefined, help: false }],
  ])('%j', (argv, expected) => {
    expect(parseDemoArgs(argv)).toEqual(expected);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus' (see pnpm demo --help)"],
    [['--clients'], "Option '--clients <value>' argument missing (see pnpm demo --help)"],
    [['extra'], "Unexpected argument 'extra'"],
    [['--once=yes'], "Option '--once' does not take an argument (see pnpm demo --help)"],
    [['--clients', 'many'], "--clients: expected an integer, got 'many'"],
    [['--clients', '1e3'], "--clients: expected an integer, got '1e3'"],
    [['--clients', '3'], "--clients: must be at least 4, got '3'"],
    [['--clients', '29'], "--clients: must be at most 28, got '29'"],
    [['--port', '0x10'], "--port: expected an integer, got '0x10'"],
    [['--port', '70000'], "--port: must be at most 65535, got '70000'"],
  ])('%j -> DemoUsageError', (argv, message) => {
    let error: unknown;
    try {
      parseDemoArgs(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DemoUsageError);
    expect((error as Error).message).toContain(message);
  });
});
