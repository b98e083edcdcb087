/**
 * @module commands/help
 * `producer help [command]`.
 */
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { EXIT } from '../cli/usage-error.ts';
import type { ConfigNeeds } from '../config.ts';

export const name = 'help';
export const description = "Show the commands, or one command's flags";
export const usage = 'producer help [command]';
export const needs: ConfigNeeds = {};

export interface HelpFlags {
  command: string | undefined;
}

export function parse(argv: readonly string[]): HelpFlags {
  const { positionals } = parseFlags(argv, {}, { min: 0, max: 1, names: '' });
  return { command: positionals[0] };
}

export interface CommandSummary {
  name: string;
  description: string;
  usage: string;
}

export function run(
  flags: HelpFlags,
  deps: { commands: readonly CommandSummary[]; out: Output; err: Output },
): number {
  if (flags.command) {
    const command = deps.commands.find((c) => c.name === flags.command);
    if (!command) {
      deps.err.write(`producer: unknown command "${flags.command}"\n${overview(deps.commands)}`);
      return EXIT.usage;
    }
    deps.out.write(`${command.description}\n\nusage: ${command.usage}\n`);
    return EXIT.ok;
  }
  deps.out.write(overview(deps.commands));
  return EXIT.ok;
}

export function overview(commands: readonly CommandSummary[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: producer <command> [flags]   (pnpm producer <command>)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`),
    '',
    'Configuration comes from the environment (and ./.env); see apps/producer/README.md.',
    'Run "producer help <command>" for a command\'s flags.',
    '',
  ].join('\n');
}
