/**
 * @module load-dot-env
 * The one `.env` loader of every app and CLI. Node parses the file (`util.parseEnv`, the parser behind
 * `process.loadEnvFile` and `--env-file`); this module adds what Node leaves out: variables already set in
 * the environment always win, and a malformed line is an error naming the file and the line (Node skips
 * such lines silently), never echoing the line, which may hold a secret.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.ts';

export interface DotEnvResult {
  /** The file read. */
  path: string;
  /** Variables taken from the file (those not already set). */
  loaded: string[];
}

const ASSIGNMENT = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=(.*)$/;
const QUOTES = ['"', "'", '`'];

/**
 * Loads `path`, or else the file named by ENV_FILE, or else `./.env`. A missing `./.env` is fine (returns
 * undefined); a missing file that was named (`path` or ENV_FILE), an unreadable one or a malformed one
 * throws ConfigError.
 *
 * @example
 * loadDotEnv();                 // ./.env (or $ENV_FILE) when present
 * loadDotEnv('/etc/engine.env'); // must exist
 */
export function loadDotEnv(path?: string, env: NodeJS.ProcessEnv = process.env): DotEnvResult | undefined {
  const fromEnvFile = env.ENV_FILE?.trim() || undefined;
  const file = path ?? fromEnvFile ?? '.env';
  const named = path !== undefined || fromEnvFile !== undefined;
  const label = path === undefined && fromEnvFile !== undefined ? 'ENV_FILE' : file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return undefined;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code;
    throw new ConfigError([{ variable: label, problem: `cannot read ${file} (${reason ?? 'unreadable'})` }]);
  }
  const problem = malformedLine(text);
  if (problem) throw new ConfigError([{ variable: file, problem }]);
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    loaded.push(name);
  }
  return { path: file, loaded };
}

/** The first line that is not blank, a comment or `NAME=value` (quoted values may span lines). */
function malformedLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) return `line ${index + 1} is not NAME=value`;
    const value = match[1]!.trim();
    const quote = value[0];
    if (quote === undefined || !QUOTES.includes(quote) || value.indexOf(quote, 1) > 0) continue;
    // An opening quote without its closing one on this line: the value goes on until a line that has it.
    const start = index;
    do index++;
    while (index < lines.length && !lines[index]!.includes(quote));
    if (index >= lines.length) return `line ${start + 1} opens a ${quote} quoted value that is never closed`;
  }
  return undefined;
}
