/**
 * @module @meta-engine/queue
 * What producer and worker share: queue names and prefix, connections, job schemas and ids, default job
 * options, the per-ad-account limiter, the token-fatal pause and the token announcements (fingerprints
 * only). Knows Redis and BullMQ, nothing of Meta's HTTP or of tables.
 */
export {
  CLUSTER_CONNECTION_OPTIONS,
  type ClusterTargetOptions,
  clusterTargetOptions,
  createProducerConnection,
  createWorkerConnection,
  DEFAULT_PING_TIMEOUT_MS,
  describeRedisTarget,
  isClusterTarget,
  openProducerConnection,
  type PingOptions,
  PRODUCER_CONNECTION_OPTIONS,
  pingRedis,
  type RedisTarget,
  redactRedisUrl,
  redisTargetVariable,
  WORKER_CONNECTION_OPTIONS,
} from './connections.ts';
export {
  DEFAULT_CONTROL_KEY_PREFIX,
  getPauseState,
  type PausableQueue,
  type PauseState,
  type PauseStore,
  pauseAllQueues,
  pauseKey,
  resumeAllQueues,
  TOKEN_FATAL_REASON,
} from './control/pause.ts';
export {
  type AnnouncementFollower,
  type AnnouncementStore,
  announceToken,
  type FollowOptions,
  followTokenAnnouncements,
  readTokenAnnouncement,
  type TokenAnnouncement,
  tokenAnnouncementKey,
} from './control/token-announcement.ts';
export { describeValueType, wrongTypeMessage } from './describe-issue.ts';
export * from './errors/index.ts';
export {
  assertValidJobId,
  type BuiltJob,
  buildClientJob,
  buildFanoutJob,
  COLLECT_PHASES,
  type CollectInsightsJobData,
  type CollectPhase,
  type CollectStep,
  collectInsightsJobSchema,
  collectStepSchema,
  DEFAULT_JOB_OPTIONS,
  type DriftCheckJobData,
  deduplicationIdFor,
  deduplicationIdsFor,
  defaultJobOptionsFor,
  driftCheckJobSchema,
  type FanoutJobData,
  fanoutJobIdFor,
  fanoutJobSchema,
  isoDateSchema,
  JOB_SCHEMAS,
  type JobDataByQueue,
  type JobInputByQueue,
  jobIdFor,
  type Parking,
  parkingSchema,
  parseJobData,
  type RefreshCacheJobData,
  RUN_TRIGGERS,
  type RunTrigger,
  refreshCacheJobSchema,
  runIdSchema,
  SUMMARY_KINDS,
  type SummariesJobData,
  type SummaryKind,
  summariesJobSchema,
  taskVariants,
  type ValidateJobData,
  validateJobSchema,
} from './jobs.ts';
export * from './limiter/index.ts';
export { SCRIPT_CODES, type ScriptCode } from './lua/codes.ts';
export { createScriptSet, type RedisClient, SCRIPT_NAMES, type ScriptSet } from './lua/loader.ts';
export {
  ALL_QUEUE_NAMES,
  buildQueueNames,
  CLIENT_TASKS,
  type ClientTask,
  clusterPrefixProblem,
  clusterPrefixRule,
  controlKeyPrefixFor,
  DEFAULT_QUEUE_PREFIX,
  hasHashTag,
  isClientTask,
  isQueueName,
  keyBaseFor,
  limiterKeyPrefixFor,
  QUEUE_NAMES,
  type QueueName,
  type QueueNaming,
  requireClusterPrefix,
  resolveQueuePrefix,
} from './names.ts';
export {
  closeQueues,
  createQueue,
  createQueues,
  type QueueFactoryOptions,
  queuePrefixFor,
} from './queues.ts';
export { deleteKeysMatching, type ScanOptions, scanKeys, scanTargets } from './scan-keys.ts';
