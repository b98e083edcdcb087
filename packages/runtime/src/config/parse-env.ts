/**
 * @module parse-env
 * Reads a configuration from an environment with a zod object of field helpers, the ONE way every app
 * and CLI does it. The trimming rule lives here and applies to every variable: surrounding whitespace is
 * removed, and a variable that is then empty counts as unset (its default applies, or it is required).
 * Every problem is collected, the schema's and the cross-variable rules' alike, and thrown as one
 * ConfigError ordered as the schema lists the variables.
 */
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** A check across variables (one of two set, not both...), run on the trimmed environment. */
export type EnvRule = (env: Env) => ConfigIssue[];

/** The environment after the trimming rule: trimmed values, empty ones left out. */
export function normalizeEnv(env: Env): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed) normalized[name] = trimmed;
  }
  return normalized;
}

/**
 * @example
 * const config = parseEnv(z.object({ PORT: field.port().default(3000) }), process.env);
 * // PORT=abc -> ConfigError "PORT: expected a port from 0 to 65535, got 'abc'"
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Env,
  rules: readonly EnvRule[] = [],
): z.output<S> {
  const normalized = normalizeEnv(env);
  const result = schema.safeParse(normalized);
  const issues: ConfigIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        // Only a truly missing (or empty) variable is "required"; a present one says what is wrong with it.
        const problem = normalized[variable] === undefined ? 'is required' : issue.message;
        return { variable, problem };
      });
  for (const rule of rules) issues.push(...rule(normalized));
  if (issues.length > 0) throw new ConfigError(inSchemaOrder(issues, Object.keys(schema.shape)));
  return result.data as z.output<S>;
}

function inSchemaOrder(issues: ConfigIssue[], variables: string[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue) => {
    const index = variables.indexOf(issue.variable);
    return index < 0 ? variables.length : index;
  };
  return issues.toSorted((a, b) => rank(a) - rank(b));
}
