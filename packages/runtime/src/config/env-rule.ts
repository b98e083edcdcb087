/**
 * @module env-rule
 * Checks that span variables, for parseEnv: which of two ways to give a value is used, and what a
 * command needs beyond the base configuration. Each names every variable involved.
 */
import type { EnvRule } from './parse-env.ts';

export const rule = {
  /**
   * At least one of `variables` is set.
   *
   * @example
   * rule.anyOf(['REDIS_URL', 'REDIS_CLUSTER_NODES']) // "REDIS_URL: is required (or REDIS_CLUSTER_NODES)"
   */
  anyOf(variables: readonly [string, ...string[]], purpose?: string): EnvRule {
    const [first, ...others] = variables;
    return (env) =>
      variables.some((variable) => env[variable] !== undefined)
        ? []
        : [
            {
              variable: first,
              problem: `is required${purpose ? ` ${purpose}` : ''}${others.length > 0 ? ` (or ${others.join(' or ')})` : ''}`,
            },
          ];
  },

  /**
   * At most one of `variables` is set.
   *
   * @example
   * rule.atMostOne(['META_ACCESS_TOKEN', 'META_ACCESS_TOKEN_FILE'])
   * // "META_ACCESS_TOKEN: set META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE, not both"
   */
  atMostOne(variables: readonly [string, ...string[]]): EnvRule {
    return (env) => {
      const set = variables.filter((variable) => env[variable] !== undefined);
      return set.length <= 1
        ? []
        : [
            {
              variable: set[0]!,
              problem:
                set.length === 2 ? `set ${set.join(' or ')}, not both` : `set only one of ${set.join(', ')}`,
            },
          ];
    };
  },

  /** `variable` is set; `purpose` says why (`to serve the admin HTTP API`). */
  required(variable: string, purpose?: string): EnvRule {
    return (env) =>
      env[variable] === undefined
        ? [{ variable, problem: `is required${purpose ? ` ${purpose}` : ''}` }]
        : [];
  },
};
