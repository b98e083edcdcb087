/**
 * @module @meta-engine/queue
 * What producer and worker share: queue names and prefix, connections, job schemas and ids, default job
 * options, the per-ad-account limiter, the token-fatal pause and the token announcements (fingerprints
 * only). Knows Redis and BullMQ, nothing of Meta's HTTP or of tables.
 */
export {
  createProducerConnection,
  createWorkerConnection,
  describeRedisTarget,
  isClusterTarget,
  openProducerConnection,
  pingRedis,
  type RedisTarget,
  redisTargetVariable,
} from './connections.ts';
export { getPauseState, pauseAllQueues, resumeAllQueues, TOKEN_FATAL_REASON } from './control/pause.ts';
export {
  type AnnouncementFollower,
  announceToken,
  followTokenAnnouncements,
  readTokenAnnouncement,
  type TokenAnnouncement,
} from './control/token-announcement.ts';
export { wrongTypeMessage } from './describe-issue.ts';
export * from './errors/index.ts';
export {
  buildClientJob,
  buildFanoutJob,
  type CollectInsightsJobData,
  type CollectStep,
  DEFAULT_JOB_OPTIONS,
  type DriftCheckJobData,
  deduplicationIdsFor,
  defaultJobOptionsFor,
  type FanoutJobData,
  type JobDataByQueue,
  type JobInputByQueue,
  jobIdFor,
  parseJobData,
  type RefreshCacheJobData,
  RUN_TRIGGERS,
  type RunTrigger,
  SUMMARY_KINDS,
  type SummariesJobData,
  type SummaryKind,
  type ValidateJobData,
} from './jobs.ts';
export * from './limiter/index.ts';

export { createScriptSet, type RedisClient } from './lua/loader.ts';
export {
  ALL_QUEUE_NAMES,
  CLIENT_TASKS,
  type ClientTask,
  clusterPrefixRule,
  controlKeyPrefixFor,
  DEFAULT_QUEUE_PREFIX,
  isClientTask,
  limiterKeyPrefixFor,
  QUEUE_NAMES,
  type QueueName,
  requireClusterPrefix,
  resolveQueuePrefix,
} from './names.ts';
export { closeQueues, createQueue, queuePrefixFor } from './queues.ts';
export { deleteKeysMatching, scanKeys } from './scan-keys.ts';
