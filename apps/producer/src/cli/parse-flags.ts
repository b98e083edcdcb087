/**
 * @module parse-flags
 * Strict flag parsing on node:util's parseArgs: unknown flags, missing values and stray positionals
 * become a UsageError whose message names the flag.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(
  argv: readonly string[],
  options: O,
  positionals: { min: number; max: number; names: string },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(cleanMessage(error));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`);
  if (count > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).join(' ');
    throw new UsageError(`unexpected argument${count - positionals.max > 1 ? 's' : ''}: ${extra}`);
  }
  return parsed;
}

function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Unknown option '--x'. To specify a positional argument starting with a '-', place it at the end..."
  return message.split('. To specify')[0]?.replace(/\.$/, '') ?? message;
}
