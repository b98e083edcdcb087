/**
 * Loads Lua scripts from a folder and registers them with `defineCommand`: the limiter's (this folder) and,
 * through {@link createScriptSet}, any other package's (the producer's run store).
 *
 * A script file is `<name>-<numkeys>.lua`: the name gives the command (`acquire-4.lua` -> `mqAcquire`),
 * the number its key count (`n`: as many as the call passes, `record-usage-n.lua`); nothing else is kept by
 * hand. A line `--- @include "<file>"` is replaced by
 * `includes/<file>.lua` (each include once per script).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

export const SCRIPT_NAMES = [
  'acquire',
  'book',
  'record-usage',
  'extend-lease',
  'app-admit',
  'app-usage',
  'app-block',
  'list-throttled',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LuaScript {
  name: string;
  /** ioredis command name, e.g. `mqAcquire`. */
  command: string;
  /** null: the call says how many (`<name>-n.lua`). */
  numberOfKeys: number | null;
  lua: string;
}

const SCRIPT_FILE = /^([a-z][a-z0-9-]*)-(\d+|n)\.lua$/;
const INCLUDE_LINE = /^--- @include "([a-z0-9-]+)"\s*$/gm;
const SCRIPT_DIR = import.meta.dirname;

/** Reads every `<name>-<numkeys>.lua` in `dir` with its includes resolved. */
export function readLuaScripts(dir: string = SCRIPT_DIR): Map<string, LuaScript> {
  const scripts = new Map<string, LuaScript>();
  for (const file of readdirSync(dir).sort()) {
    const match = SCRIPT_FILE.exec(file);
    if (!match) continue;
    const name = match[1]!;
    const source = readFileSync(join(dir, file), 'utf8');
    scripts.set(name, {
      name,
      command: commandName(name),
      numberOfKeys: match[2] === 'n' ? null : Number(match[2]),
      lua: resolveIncludes(source, join(dir, 'includes'), new Set()),
    });
  }
  return scripts;
}

/** A Lua source with its `--- @include` lines resolved from this folder's includes (tests run includes alone). */
export function withIncludes(source: string): string {
  return resolveIncludes(source, join(SCRIPT_DIR, 'includes'), new Set());
}

function resolveIncludes(source: string, includeDir: string, seen: Set<string>): string {
  return source.replace(INCLUDE_LINE, (_line, include: string) => {
    if (seen.has(include)) return '';
    seen.add(include);
    const body = readFileSync(join(includeDir, `${include}.lua`), 'utf8');
    return resolveIncludes(body, includeDir, seen);
  });
}

function commandName(name: string): string {
  return `mq${name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;
}

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

/** A folder of scripts registered once per client (`defineCommand`: EVALSHA, EVAL only when Redis lacks it). */
export interface ScriptSet<N extends string> {
  /** Registers every script on `client` (once per client). */
  define(client: RedisClient): void;
  /** Runs a script by name; `keys.length` must match the file's key count (any count for `-n`). */
  run(
    client: RedisClient,
    name: N,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown>;
}

/**
 * The scripts `names` of `dir` (read on first use; a missing one throws naming `label`). The limiter's are
 * {@link runScript}; the producer's run store uses its own folder the same way.
 *
 * @example
 * const scripts = createScriptSet(import.meta.dirname + '/lua', ['record-chunk'], 'run store');
 * await scripts.run(redis, 'record-chunk', [runKey, jobsKey], [ttl, 0]);
 */
export function createScriptSet<N extends string>(
  dir: string,
  names: readonly N[],
  label: string,
): ScriptSet<N> {
  let cache: Map<string, LuaScript> | undefined;
  const defined = new WeakSet<object>();

  function scripts(): Map<string, LuaScript> {
    if (!cache) {
      const loaded = readLuaScripts(dir);
      for (const name of names) {
        if (!loaded.has(name))
          throw new Error(`${label} Lua script ${name}-<numkeys>.lua is missing in ${dir}`);
      }
      cache = loaded;
    }
    return cache;
  }

  function define(client: RedisClient): void {
    if (defined.has(client)) return;
    for (const script of scripts().values()) {
      // Registered without a key count: every call passes EVALSHA's numkeys itself (checked in `run`), so
      // a `-n` script and a fixed one are called the same way.
      client.defineCommand(script.command, { lua: script.lua });
    }
    defined.add(client);
  }

  async function run(
    client: RedisClient,
    name: N,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> {
    const script = scripts().get(name)!;
    if (script.numberOfKeys !== null && keys.length !== script.numberOfKeys) {
      throw new Error(`${label} script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    define(client);
    const fn = (client as unknown as Record<string, ScriptFn>)[script.command]!;
    return fn.call(client, keys.length, ...keys, ...args);
  }

  return { define, run };
}

const limiterScripts = createScriptSet(SCRIPT_DIR, SCRIPT_NAMES, 'limiter');

/** Runs a limiter script by name; `keys.length` must match the file's key count (any count for `-n`). */
export async function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  return limiterScripts.run(client, name, keys, args);
}
