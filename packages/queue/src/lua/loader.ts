/**
 * Loads the limiter's Lua scripts from this folder and registers them with `defineCommand`.
 *
 * A script file is `<name>-<numkeys>.lua`: the name gives the command (`acquire-4.lua` -> `mqAcquire`),
 * the number its key count; nothing else is kept by hand. A line `--- @include "<file>"` is replaced by
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
  numberOfKeys: number;
  lua: string;
}

const SCRIPT_FILE = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/;
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
      numberOfKeys: Number(match[2]),
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

let cache: Map<string, LuaScript> | undefined;

function scripts(): Map<string, LuaScript> {
  if (!cache) {
    const loaded = readLuaScripts();
    for (const name of SCRIPT_NAMES) {
      if (!loaded.has(name))
        throw new Error(`limiter Lua script ${name}-<numkeys>.lua is missing in ${SCRIPT_DIR}`);
    }
    cache = loaded;
  }
  return cache;
}

const defined = new WeakSet<object>();

/** Registers every script on `client` (once per client). */
export function defineScripts(client: RedisClient): void {
  if (defined.has(client)) return;
  for (const script of scripts().values()) {
    client.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  defined.add(client);
}

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

/** Runs a script by name; `keys.length` must match the file's key count. */
export async function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  const script = scripts().get(name)!;
  if (keys.length !== script.numberOfKeys) {
    throw new Error(`limiter script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  defineScripts(client);
  const fn = (client as unknown as Record<string, ScriptFn>)[script.command]!;
  return fn.call(client, ...keys, ...args);
}
