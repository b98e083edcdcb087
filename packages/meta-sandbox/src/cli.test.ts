/**
 * The CLI: flag parsing (pure) and the real process (prints its URL, rejects bad flags).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from './cli-args.ts';
import { normalizeConfig } from './config/normalize.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('parseCliArgs', () => {
  it('maps flags onto sandbox options', () => {
    const parsed = parseCliArgs([
      '--',
      '--port',
      '0',
      '--seed',
      'abc',
      '--time-scale',
      '3600',
      '--accounts',
      '5',
      '--tier',
      'standard',
      '--quota-insights',
      '10',
      '--block-minutes',
      '5',
      '--error-rate',
      '0.1',
      '--latency-ms',
      '20',
      '--verbose',
    ]);
    expect(parsed.verbose).toBe(true);
    expect(parsed.config).toMatchObject({
      port: 0,
      seed: 'abc',
      timeScale: 3600,
      accounts: 5,
      accountDefaults: { tier: 'standard', quotaOverride: { ads_insights: 10 } },
      rateLimits: { blockMinutes: 5 },
      faults: { serverErrorRate: 0.1 },
      latencyMs: 20,
    });
  });

  it('flags override the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meta-sandbox-cli-'));
    const file = join(dir, 'sandbox.json');
    writeFileSync(file, JSON.stringify({ seed: 'from-file', timeScale: 60, faults: { hangRate: 0.2 } }));
    const parsed = parseCliArgs(['--config', file, '--seed', 'from-flag']);
    expect(parsed.config).toMatchObject({
      seed: 'from-flag',
      timeScale: 60,
      faults: { hangRate: 0.2 },
      port: 8787,
    });
  });

  it('the app budget comes from the config file or --app-budget, and is validated like every option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meta-sandbox-cli-'));
    const file = join(dir, 'sandbox.json');
    writeFileSync(
      file,
      JSON.stringify({ appBudget: { enabled: true, callsPerWindow: 50, plainStatus: 400 } }),
    );
    const fromFile = parseCliArgs(['--config', file]);
    expect(normalizeConfig(fromFile.config).settings.appBudget).toEqual({
      enabled: true,
      callsPerWindow: 50,
      windowMinutes: null,
      plainStatus: 400,
    });
    const fromFlag = parseCliArgs(['--config', file, '--app-budget', '20']);
    expect(fromFlag.config.appBudget).toEqual({ enabled: true, callsPerWindow: 20, plainStatus: 400 });
    writeFileSync(file, JSON.stringify({ appBudget: { callsPerWindow: 'many' } }));
    expect(() => normalizeConfig(parseCliArgs(['--config', file]).config)).toThrow(
      /appBudget\.callsPerWindow/,
    );
  });

  it.each([
    [['--app-budget', '0'], /--app-budget must be >= 1/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'abc'], /--port expects a number/],
    [['--error-rate', '2'], /--error-rate must be <= 1/],
    [['--tier', 'gold'], /--tier must be/],
    [['--config', '/nonexistent/sandbox.json'], /cannot read --config file/],
    [['extra'], /positional/i],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('the CLI process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it('prints its URL and serves requests', async () => {
    child = spawn(process.execPath, [CLI, '--port', '0', '--seed', 'cli'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child?.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const response = await fetch(`${url}/__sandbox/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('exits 2 with a clear message on a bad flag', async () => {
    child = spawn(process.execPath, [CLI, '--time-scale', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain("--time-scale expects a number, got 'fast'");
  });
});
