/**
 * @module field
 * zod schemas for environment variables, one per kind of value, so that the same kind is read the same way
 * by every app and CLI. Each takes the (already trimmed, see parseEnv) string and either returns the typed
 * value or adds ONE issue whose message says what was expected and, for values that are never secret,
 * what was given (`expected an integer, got 'abc'`). URL, key, token and file helpers never echo the value.
 *
 * Chain `.optional()` or `.default(value)` as usual; a variable without either is required, and parseEnv
 * reports it as `is required` only when it is missing or empty.
 *
 * @example
 * const schema = z.object({
 *   PORT: field.port().default(3000),
 *   CONCURRENCY: field.integer({ min: 1, max: 100 }).default(10),
 *   REDIS_URL: field.url({ protocols: ['redis:', 'rediss:'] }),
 * });
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { echo } from './echo.ts';
import { type IntegerRange, type Parsed, parseInteger } from './parse-integer.ts';

/** pino's levels plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What {@link field.secretFile} yields: the file's path (to re-read it later) and its trimmed content. */
export interface SecretFile {
  path: string;
  value: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = (text: string): Parsed<never> => ({ ok: false, problem: text });

/** A string schema whose value goes through `parse`; a failure becomes one custom issue. */
function parsed<T>(parse: (raw: string) => Parsed<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  });
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

function timeZoneKnown(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function readSecretFile(path: string, hint: string, minLength: number): Parsed<SecretFile> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? 'unreadable');
    return problem(`cannot read ${path} (${reason})`);
  }
  const value = content.trim();
  if (value === '') return problem(`${path} is empty; it must hold ${hint}`);
  if (value.length < minLength) {
    return problem(`${path} does not hold ${hint} (expected at least ${minLength} characters)`);
  }
  return ok({ path, value });
}

export const field = {
  /** Any non-empty text (host names, user names). */
  text() {
    return z.string();
  },

  /** A secret (key, token, password): at least `minLength` characters; the value is never echoed. */
  secret(options: { hint: string; minLength?: number }) {
    const minLength = options.minLength ?? 1;
    return parsed((raw) =>
      raw.length >= minLength
        ? ok(raw)
        : problem(`must be ${options.hint}${minLength > 1 ? ` (at least ${minLength} characters)` : ''}`),
    );
  },

  /**
   * The path of a file holding a secret (the Docker and Kubernetes `*_FILE` convention). Reading the
   * variable reads the file: its trimmed content must be non-empty and at least `minLength` long. Problems
   * name the path, never the content.
   */
  secretFile(options: { hint: string; minLength?: number }) {
    return parsed((path) => readSecretFile(path, options.hint, options.minLength ?? 1));
  },

  /**
   * A URL with one of `protocols` (`'redis:'`, with the colon) and a host. Never echoed (it may hold a
   * password); a wrong protocol is named.
   */
  url(options: { protocols: readonly string[]; hint?: string }) {
    const hint = options.hint ?? `a ${options.protocols.map((p) => `${p}//`).join(' or ')} URL`;
    return parsed((raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return problem(`expected ${hint}`);
      }
      if (!options.protocols.includes(url.protocol)) {
        return problem(`expected ${hint}, got ${url.protocol}//…`);
      }
      if (!url.hostname) return problem(`expected ${hint} with a host`);
      return ok(raw);
    });
  },

  /** A whole number (see parseInteger: trimmed digits, optional `-`; `1e3` and `0x10` are refused). */
  integer(range: IntegerRange = {}) {
    return parsed((raw) => parseInteger(raw, range));
  },

  /** A decimal number (`0.8`, `3600`, `.5`; no exponent, no hex), within the bounds given. */
  number(bounds: { min?: number; max?: number; above?: number } = {}) {
    return parsed((raw) => {
      if (!NUMBER.test(raw)) return problem(`expected a number, got ${echo(raw)}`);
      const value = Number(raw);
      if (bounds.above !== undefined && !(value > bounds.above)) {
        return problem(`must be above ${bounds.above}, got ${echo(raw)}`);
      }
      if (bounds.min !== undefined && value < bounds.min) {
        return problem(`must be at least ${bounds.min}, got ${echo(raw)}`);
      }
      if (bounds.max !== undefined && value > bounds.max) {
        return problem(`must be at most ${bounds.max}, got ${echo(raw)}`);
      }
      return ok(value);
    });
  },

  /** A share: a number above 0 and at most 1 (`0.8`). */
  ratio() {
    return field.number({ above: 0, max: 1 });
  },

  /** `true`/`false`, `1`/`0`, `yes`/`no`, in any case. */
  boolean() {
    return parsed((raw) => {
      const value = BOOLEANS[raw.toLowerCase()];
      return value === undefined
        ? problem(`expected true or false (or 1/0, yes/no), got ${echo(raw)}`)
        : ok(value);
    });
  },

  /** A TCP port, 0 to 65535 (0 = any free port). */
  port() {
    return parsed((raw) => {
      const port = parseInteger(raw, { min: 0, max: 65535 });
      return port.ok ? port : problem(`expected a port from 0 to 65535, got ${echo(raw)}`);
    });
  },

  /** One of `values`, matched without regard to case; yields the listed spelling. */
  oneOf<const V extends string>(values: readonly [V, ...V[]]) {
    return parsed((raw): Parsed<V> => {
      const found = values.find((value) => value.toLowerCase() === raw.toLowerCase());
      return found === undefined
        ? problem(`expected one of ${values.join(', ')}, got ${echo(raw)}`)
        : ok(found);
    });
  },

  /** A pino level or `silent`. */
  logLevel() {
    return field.oneOf(LOG_LEVELS);
  },

  /** A duration in whole milliseconds, at least `min` (default 1). */
  durationMs(range: IntegerRange = {}) {
    const bounds = { min: 1, ...range };
    return parsed((raw) => {
      if (!/^-?\d+$/.test(raw)) {
        return problem(`expected a duration in milliseconds (an integer), got ${echo(raw)}`);
      }
      return parseInteger(raw, bounds);
    });
  },

  /** An IANA time zone the runtime knows (`Europe/Warsaw`, `UTC`). */
  timeZone() {
    return parsed((raw) =>
      timeZoneKnown(raw)
        ? ok(raw)
        : problem(`expected an IANA time zone such as Europe/Warsaw or UTC, got ${echo(raw)}`),
    );
  },

  /** A comma-separated list of `host:port` (at least one); yields the entries, trimmed. */
  hostPortList() {
    return parsed((raw): Parsed<string[]> => {
      const entries = raw.split(',').map((entry) => entry.trim());
      const nodes: string[] = [];
      for (const entry of entries) {
        if (entry === '') return problem('has an empty entry; expected host:port[,host:port...]');
        const colon = entry.lastIndexOf(':');
        const host = entry.slice(0, Math.max(colon, 0));
        const port = parseInteger(entry.slice(colon + 1), { min: 1, max: 65535 });
        if (colon < 0 || !HOST.test(host) || !port.ok) {
          return problem(`expected host:port[,host:port...], got ${echo(entry)}`);
        }
        nodes.push(`${host}:${port.value}`);
      }
      return ok(nodes);
    });
  },

  /** Text matching `pattern`; `expected` says what that is (`a version such as v26.0`). */
  matching(pattern: RegExp, expected: string) {
    return parsed((raw) => (pattern.test(raw) ? ok(raw) : problem(`expected ${expected}, got ${echo(raw)}`)));
  },

  /**
   * A value checked by a function of the package that owns the rule (it returns the value to use or
   * throws an Error whose message is the problem), so that rule stays in one place.
   *
   * @example
   * QUEUE_PREFIX: field.checked(resolveQueuePrefix).default('{meta}')
   */
  checked<T>(check: (value: string) => T) {
    return parsed((raw) => {
      try {
        return ok(check(raw));
      } catch (error) {
        return problem(error instanceof Error ? error.message : String(error));
      }
    });
  },
};
