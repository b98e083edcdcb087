/**
 * @module
 * Parses the CLI's flags (strict) and an optional JSON config file into sandbox options.
 * Flags override the file. Pure except for reading the config file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SandboxConfigInput } from './config/schema.ts';

export const CLI_USAGE = `Usage: meta-sandbox [options]

Starts a local Meta Graph API (Marketing API) sandbox.

Options:
  --config <file>            JSON file with sandbox options (see README); flags override it
  --host <host>              bind address (default 127.0.0.1)
  --port <n>                 port, 0 = any free port (default 8787)
  --seed <seed>              data/fault seed (default 1)
  --accounts <n>             generate n ad accounts instead of the default three
  --time-scale <x>           sandbox seconds per real second (3600: an hour per second)
  --start-time <iso>         sandbox clock start (default: now)
  --tier <development|standard>  access tier of every account
  --quota-insights <n>       hourly ads_insights quota of every account (override)
  --quota-management <n>     hourly ads_management quota of every account (override)
  --block-minutes <n|window> throttle block length (default: window)
  --no-rate-limits           never throttle (usage headers are still sent)
  --app-budget <n>           enforce an app-wide budget of n calls per window (all accounts together)
  --latency-ms <n>           fixed latency per response
  --error-rate <0..1>        share of 500/503 responses
  --hang-rate <0..1>         share of requests that never get a response
  --malformed-rate <0..1>    share of broken bodies (truncated JSON or HTML page)
  --public-url <url>         origin used in paging links
  --verbose                  log one line per request (never tokens)
  -h, --help                 show this help
`;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export interface CliOptions {
  help: boolean;
  verbose: boolean;
  config: SandboxConfigInput;
}

function number(flag: string, value: string | undefined, min?: number, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new CliUsageError(`--${flag} expects a number, got '${value}'`);
  if (min !== undefined && parsed < min) throw new CliUsageError(`--${flag} must be >= ${min}, got ${value}`);
  if (max !== undefined && parsed > max) throw new CliUsageError(`--${flag} must be <= ${max}, got ${value}`);
  return parsed;
}

function readConfigFile(path: string): SandboxConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (caught) {
    throw new CliUsageError(
      `cannot read --config file ${path}: ${caught instanceof Error ? caught.message : String(caught)}`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliUsageError(`--config file ${path} must contain a JSON object`);
    }
    return parsed as SandboxConfigInput;
  } catch (caught) {
    if (caught instanceof CliUsageError) throw caught;
    throw new CliUsageError(
      `--config file ${path} is not valid JSON: ${caught instanceof Error ? caught.message : ''}`,
    );
  }
}

/** Parses argv (without node and script). Throws CliUsageError with a readable message. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm start -- --port 1` passes the separator through.
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        seed: { type: 'string' },
        accounts: { type: 'string' },
        'time-scale': { type: 'string' },
        'start-time': { type: 'string' },
        tier: { type: 'string' },
        'quota-insights': { type: 'string' },
        'quota-management': { type: 'string' },
        'block-minutes': { type: 'string' },
        'no-rate-limits': { type: 'boolean' },
        'app-budget': { type: 'string' },
        'latency-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'hang-rate': { type: 'string' },
        'malformed-rate': { type: 'string' },
        'public-url': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (caught) {
    throw new CliUsageError(caught instanceof Error ? caught.message : String(caught));
  }
  const str = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  const config: SandboxConfigInput = str('config') ? readConfigFile(str('config') as string) : {};
  if (config.port === undefined) config.port = 8787;
  const host = str('host');
  if (host !== undefined) config.host = host;
  const port = number('port', str('port'), 0, 65535);
  if (port !== undefined) {
    if (!Number.isInteger(port)) throw new CliUsageError('--port must be an integer');
    config.port = port;
  }
  const seed = str('seed');
  if (seed !== undefined) config.seed = seed;
  const accounts = number('accounts', str('accounts'), 1, 1000);
  if (accounts !== undefined) {
    if (!Number.isInteger(accounts)) throw new CliUsageError('--accounts must be an integer');
    config.accounts = accounts;
  }
  const timeScale = number('time-scale', str('time-scale'), Number.MIN_VALUE);
  if (timeScale !== undefined) config.timeScale = timeScale;
  const startTime = str('start-time');
  if (startTime !== undefined) {
    if (!Number.isFinite(Date.parse(startTime)))
      throw new CliUsageError(`--start-time expects an ISO date, got '${startTime}'`);
    config.startTime = startTime;
  }
  const tier = str('tier');
  if (tier !== undefined && tier !== 'development' && tier !== 'standard') {
    throw new CliUsageError(`--tier must be 'development' or 'standard', got '${tier}'`);
  }
  const quotaInsights = number('quota-insights', str('quota-insights'), 1);
  const quotaManagement = number('quota-management', str('quota-management'), 1);
  if (tier !== undefined || quotaInsights !== undefined || quotaManagement !== undefined) {
    config.accountDefaults = {
      ...(tier !== undefined ? { tier } : {}),
      ...(quotaInsights !== undefined || quotaManagement !== undefined
        ? {
            quotaOverride: {
              ...(quotaInsights !== undefined ? { ads_insights: quotaInsights } : {}),
              ...(quotaManagement !== undefined ? { ads_management: quotaManagement } : {}),
            },
          }
        : {}),
    };
  }
  const blockMinutes = str('block-minutes');
  if (blockMinutes !== undefined || values['no-rate-limits']) {
    config.rateLimits = { ...config.rateLimits };
    if (blockMinutes !== undefined) {
      config.rateLimits.blockMinutes =
        blockMinutes === 'window' ? 'window' : number('block-minutes', blockMinutes, 0.001);
    }
    if (values['no-rate-limits']) config.rateLimits.enabled = false;
  }
  const appBudget = number('app-budget', str('app-budget'), 1);
  if (appBudget !== undefined) {
    config.appBudget = { ...config.appBudget, enabled: true, callsPerWindow: appBudget };
  }
  const latency = number('latency-ms', str('latency-ms'), 0);
  if (latency !== undefined) config.latencyMs = latency;
  const faults: Record<string, number> = {};
  const errorRate = number('error-rate', str('error-rate'), 0, 1);
  if (errorRate !== undefined) faults.serverErrorRate = errorRate;
  const hangRate = number('hang-rate', str('hang-rate'), 0, 1);
  if (hangRate !== undefined) faults.hangRate = hangRate;
  const malformedRate = number('malformed-rate', str('malformed-rate'), 0, 1);
  if (malformedRate !== undefined) faults.malformedRate = malformedRate;
  if (Object.keys(faults).length > 0) config.faults = { ...config.faults, ...faults };
  const publicUrl = str('public-url');
  if (publicUrl !== undefined) config.publicUrl = publicUrl;
  return { help: values.help === true, verbose: values.verbose === true, config };
}
