/**
 * @module names
 * Queue names and the key prefixes everything in this package lives under.
 *
 * BullMQ keys are `<prefix>:<queue>:<suffix>`. The default prefix `{meta}` is a Redis Cluster hash tag, so
 * every key of every queue hashes to one slot (BullMQ's scripts need all keys of a queue in one slot).
 * The limiter and control keys use the same prefix with the braces removed (`meta:limiter:...`): Redis
 * hashes on the *first* `{...}` of a key, so keeping `{meta}` would pin every ad account to one slot, while
 * `meta:limiter:{<account>}:...` spreads accounts over the cluster.
 *
 * @example
 * const naming = buildQueueNames('{meta}');
 * new Queue(QUEUE_NAMES.validate, { prefix: naming.prefix, connection });
 */

export const QUEUE_NAMES = {
  validate: 'validate',
  refreshCache: 'refresh-cache',
  collectInsights: 'collect-insights',
  summaries: 'summaries',
  driftCheck: 'drift-check',
  fanout: 'fanout',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * The queues that hold jobs per client (the producer's fan-out targets): THE task list. The producer, the
 * worker, the CLI, the HTTP API and Bull Board all derive theirs from it.
 */
export const CLIENT_TASKS = [
  QUEUE_NAMES.validate,
  QUEUE_NAMES.refreshCache,
  QUEUE_NAMES.collectInsights,
  QUEUE_NAMES.summaries,
  QUEUE_NAMES.driftCheck,
] as const;
export type ClientTask = (typeof CLIENT_TASKS)[number];

export const ALL_QUEUE_NAMES: readonly QueueName[] = [...CLIENT_TASKS, QUEUE_NAMES.fanout];

/** BullMQ `prefix` for every queue: a hash tag, so Redis Cluster works. */
export const DEFAULT_QUEUE_PREFIX = '{meta}';

const PREFIX_PATTERN = /^[A-Za-z0-9{}_.-]+(?::[A-Za-z0-9{}_.-]+)*$/;

export function isQueueName(value: unknown): value is QueueName {
  return typeof value === 'string' && (ALL_QUEUE_NAMES as readonly string[]).includes(value);
}

export function isClientTask(value: unknown): value is ClientTask {
  return typeof value === 'string' && (CLIENT_TASKS as readonly string[]).includes(value);
}

/**
 * Checks a BullMQ prefix: letters, digits, `{}_.-`, `:`-separated segments, at most one balanced hash tag.
 * Throws a message naming the bad value.
 */
export function resolveQueuePrefix(prefix: string = DEFAULT_QUEUE_PREFIX): string {
  const value = prefix.trim();
  const open = value.split('{').length - 1;
  const close = value.split('}').length - 1;
  const tagged = /\{[^{}]+\}/.test(value);
  if (!PREFIX_PATTERN.test(value) || open !== close || open > 1 || (open === 1 && !tagged)) {
    throw new Error(
      `invalid queue prefix ${JSON.stringify(prefix)}: use letters, digits, "_.-:" and at most one hash tag such as "{meta}"`,
    );
  }
  return value;
}

/** True when the prefix holds a hash tag (`{meta}`), so all of a queue's keys share one Cluster slot. */
export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

/**
 * For a Redis Cluster: the prefix, or an error naming it when it has no hash tag. BullMQ's scripts touch
 * several keys of a queue at once; without a tag they hash to different slots and every script fails with
 * CROSSSLOT at the first job.
 */
export function requireClusterPrefix(prefix: string): string {
  const value = resolveQueuePrefix(prefix);
  if (!hasHashTag(value)) {
    throw new Error(
      `queue prefix ${JSON.stringify(prefix)} has no hash tag: on Redis Cluster every key of a queue must share one slot; use a prefix such as "{${value}}"`,
    );
  }
  return value;
}

/**
 * The configuration check of {@link requireClusterPrefix}, for an app's config rules (exit 78 at start
 * rather than a start-up failure): the problem with `prefix` on a Redis Cluster, or undefined when it
 * is fine (or malformed: the prefix's own check reports that).
 */
export function clusterPrefixProblem(prefix: string = DEFAULT_QUEUE_PREFIX): string | undefined {
  try {
    resolveQueuePrefix(prefix);
  } catch {
    return undefined;
  }
  try {
    requireClusterPrefix(prefix);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * A configuration rule (the shape of the runtime's `EnvRule`) for both apps: with `REDIS_CLUSTER_NODES`
 * set, `QUEUE_PREFIX` (default `{meta}`) must hold a hash tag, reported as a `QUEUE_PREFIX` problem.
 */
export function clusterPrefixRule(
  env: Readonly<Record<string, string | undefined>>,
): Array<{ variable: string; problem: string }> {
  if (env.REDIS_CLUSTER_NODES === undefined) return [];
  const problem = clusterPrefixProblem(env.QUEUE_PREFIX);
  return problem === undefined ? [] : [{ variable: 'QUEUE_PREFIX', problem }];
}

/** The prefix without hash-tag braces (`{meta}` -> `meta`), the base of limiter and control keys. */
export function keyBaseFor(prefix: string = DEFAULT_QUEUE_PREFIX): string {
  return resolveQueuePrefix(prefix).replace(/[{}]/g, '');
}

/** Base of the per-account limiter keys: `meta:limiter`. */
export function limiterKeyPrefixFor(prefix: string = DEFAULT_QUEUE_PREFIX): string {
  return `${keyBaseFor(prefix)}:limiter`;
}

/** Base of the control keys (pause state): `meta:control`. */
export function controlKeyPrefixFor(prefix: string = DEFAULT_QUEUE_PREFIX): string {
  return `${keyBaseFor(prefix)}:control`;
}

export interface QueueNaming {
  /** BullMQ `prefix` option. */
  prefix: string;
  /** Queue names to pass to `new Queue(name)` / `new Worker(name)`. */
  names: readonly QueueName[];
  /** `<prefix>:<name>`, the base of each queue's Redis keys (what BullMQ calls `qualifiedName`). */
  qualified: Readonly<Record<QueueName, string>>;
  /** Base of limiter keys (see {@link limiterKeyPrefixFor}). */
  limiterKeyPrefix: string;
  /** Base of control keys (see {@link controlKeyPrefixFor}). */
  controlKeyPrefix: string;
}

/** Every name this package derives from one prefix. */
export function buildQueueNames(prefix: string = DEFAULT_QUEUE_PREFIX): QueueNaming {
  const resolved = resolveQueuePrefix(prefix);
  const qualified = Object.fromEntries(
    ALL_QUEUE_NAMES.map((name) => [name, `${resolved}:${name}`]),
  ) as Record<QueueName, string>;
  return {
    prefix: resolved,
    names: ALL_QUEUE_NAMES,
    qualified,
    limiterKeyPrefix: limiterKeyPrefixFor(resolved),
    controlKeyPrefix: controlKeyPrefixFor(resolved),
  };
}
