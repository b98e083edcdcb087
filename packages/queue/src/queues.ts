/**
 * @module queues
 * Opening the system's queues with this package's prefix and default job options, for producer and worker.
 *
 * @example
 * const queues = createQueues({ connection: createProducerConnection(env.REDIS_URL) });
 * await queues.validate.addBulk(jobs);
 * await closeQueues(queues);
 */
import { type ConnectionOptions, Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { defaultJobOptionsFor } from './jobs.ts';
import {
  ALL_QUEUE_NAMES,
  DEFAULT_QUEUE_PREFIX,
  type QueueName,
  requireClusterPrefix,
  resolveQueuePrefix,
} from './names.ts';

export interface QueueFactoryOptions {
  /** An ioredis instance (shared) or options; producers pass a fail-fast connection. */
  connection: ConnectionOptions;
  /** BullMQ prefix, default `{meta}`. */
  prefix?: string;
}

/**
 * The BullMQ prefix to use on `connection`: checked, and on a Redis Cluster required to be a hash tag
 * (throws naming the prefix otherwise; see {@link requireClusterPrefix}).
 */
export function queuePrefixFor(connection: ConnectionOptions, prefix: string = DEFAULT_QUEUE_PREFIX): string {
  return connection instanceof Cluster ? requireClusterPrefix(prefix) : resolveQueuePrefix(prefix);
}

/** One queue with the package's prefix and {@link defaultJobOptionsFor} its name. */
export function createQueue(name: QueueName, options: QueueFactoryOptions): Queue {
  return new Queue(name, {
    connection: options.connection,
    prefix: queuePrefixFor(options.connection, options.prefix),
    defaultJobOptions: defaultJobOptionsFor(name),
  });
}

/** Every queue of the system, by name. */
export function createQueues(options: QueueFactoryOptions): Record<QueueName, Queue> {
  return Object.fromEntries(ALL_QUEUE_NAMES.map((name) => [name, createQueue(name, options)])) as Record<
    QueueName,
    Queue
  >;
}

/** Closes every queue (keeps going past a failure and rethrows the first). */
export async function closeQueues(
  queues: Readonly<Record<string, Pick<Queue, 'close'>>> | ReadonlyArray<Pick<Queue, 'close'>>,
): Promise<void> {
  const list = Array.isArray(queues) ? queues : Object.values(queues);
  const results = await Promise.allSettled(list.map((queue) => queue.close()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
