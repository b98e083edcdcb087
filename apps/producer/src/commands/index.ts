/**
 * @module commands
 * The CLI's dispatcher: picks the command, parses its flags strictly (before any configuration or
 * connection, so a bad flag costs nothing), loads the configuration the command needs (a ConfigError is
 * left to main.ts), opens the runtime, runs the command with the parts of the runtime it uses, and closes
 * everything.
 */
import type { Output } from '../cli/output.ts';
import { EXIT, UsageError } from '../cli/usage-error.ts';
import { type ConfigNeeds, loadConfig } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import * as enqueue from './enqueue.ts';
import * as help from './help.ts';
import * as rotate from './rotate.ts';
import * as schedules from './schedules.ts';
import * as serve from './serve.ts';
import * as status from './status.ts';

interface CommandModule {
  name: string;
  description: string;
  usage: string;
  needs: ConfigNeeds;
}

export const COMMANDS: readonly CommandModule[] = [serve, enqueue, rotate, status, schedules, help];

export interface DispatchContext {
  env: NodeJS.ProcessEnv;
  out: Output;
  err: Output;
  /** Opens the runtime for `command` (main.ts keeps logs to warnings for everything but serve). */
  openRuntime(config: ReturnType<typeof loadConfig>, command: string): Promise<Runtime>;
  /** Resolves on SIGINT/SIGTERM: `serve` stops, `enqueue --wait` stops following. */
  stopped: Promise<unknown>;
  signal: AbortSignal;
}

export async function dispatch(argv: readonly string[], ctx: DispatchContext): Promise<number> {
  const [first, ...rest] = argv;
  const commandName = first === undefined || first === '--help' || first === '-h' ? 'help' : first;
  const command = COMMANDS.find((c) => c.name === commandName);
  if (!command) {
    ctx.err.write(`producer: unknown command "${commandName}"\n\n${help.overview(COMMANDS)}`);
    return EXIT.usage;
  }
  if (command === help || rest.includes('--help') || rest.includes('-h')) {
    const flags =
      command === help ? parseOrReport(command, () => help.parse(rest), ctx) : { command: command.name };
    return typeof flags === 'number'
      ? flags
      : help.run(flags, { commands: COMMANDS, out: ctx.out, err: ctx.err });
  }
  const run = parseOrReport(command, () => prepare(command, rest, ctx), ctx);
  if (typeof run === 'number') return run;
  // A ConfigError goes up to main.ts, which prints it and exits 78 (the runtime's exitOnConfigError).
  const config = loadConfig(ctx.env, command.needs);
  const runtime = await ctx.openRuntime(config, command.name);
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
  }
}

/** Runs `parse`; a UsageError is printed with the command's usage and becomes EXIT.usage. */
function parseOrReport<T>(command: CommandModule, parse: () => T, ctx: DispatchContext): T | number {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err.write(`producer ${command.name}: ${error.message}\nusage: ${command.usage}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** Parses the command's flags now; returns what runs it once the runtime is open. */
function prepare(
  command: CommandModule,
  argv: readonly string[],
  ctx: DispatchContext,
): (runtime: Runtime) => Promise<number> {
  const { out, err } = ctx;
  switch (command.name) {
    case serve.name: {
      const flags = serve.parse(argv);
      return (runtime) => serve.run(flags, { runtime, out, stopped: ctx.stopped });
    }
    case enqueue.name: {
      const flags = enqueue.parse(argv);
      return (runtime) =>
        enqueue.run(flags, {
          directory: runtime.directory,
          fanout: runtime.fanout,
          runs: runtime.runs,
          pauses: runtime.pauses,
          out,
          err,
          signal: ctx.signal,
        });
    }
    case rotate.name: {
      const flags = rotate.parse(argv);
      return (runtime) => rotate.run(flags, { rotate: (o) => runtime.rotate(o), out, err });
    }
    case status.name: {
      const flags = status.parse(argv);
      return (runtime) =>
        status.run(flags, {
          status: (o) => runtime.status(o),
          clients: (query) => runtime.clientConsole.clients(query),
          out,
        });
    }
    case schedules.name: {
      const flags = schedules.parse(argv);
      return (runtime) =>
        schedules.run(flags, {
          fanoutQueue: runtime.fanoutQueue,
          schedules: runtime.config.schedules,
          local: runtime.config.local,
          out,
        });
    }
    default:
      throw new Error(`no runner for command ${command.name}`);
  }
}
