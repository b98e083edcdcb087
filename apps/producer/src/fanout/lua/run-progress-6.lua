--[[
  Classifies one slice of a run's jobs by their state in the task queue. Read-only.
  Called repeatedly over rank ranges (e.g. 1000 ids per call), so no call is long and no reply is big.

  KEYS[1] run job set (sorted set of job ids)
  KEYS[2] queue 'completed' (zset)   KEYS[3] queue 'failed' (zset)
  KEYS[4] queue 'delayed' (zset)     KEYS[5] queue 'prioritized' (zset)
  KEYS[6] queue 'active' (list; short: bounded by worker concurrency)

  ARGV[1] first rank, ARGV[2] last rank (inclusive, as ZRANGE)
  ARGV[3] job key prefix of the queue, '<prefix>:<queue>:'

  Returns { ids seen, completed, failed, delayed, prioritized, active, waiting, removed }:
  'waiting' = the job exists in none of the sets above (wait list, or paused queue);
  'removed' = the job hash is gone (auto-removed after it finished, or deleted by hand).
  The job hashes are read by name, not passed in KEYS: they carry the queue prefix's hash tag, so on a
  Redis Cluster they live in KEYS[2]'s slot (the prefix must be tagged there; see requireClusterPrefix).
]]
local ids = redis.call('ZRANGE', KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local active = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[6], 0, -1)) do active[id] = true end
local prefix = ARGV[3]
local c, f, d, p, a, w, r = 0, 0, 0, 0, 0, 0, 0
for _, id in ipairs(ids) do
  if redis.call('ZSCORE', KEYS[2], id) then c = c + 1
  elseif redis.call('ZSCORE', KEYS[3], id) then f = f + 1
  elseif redis.call('ZSCORE', KEYS[4], id) then d = d + 1
  elseif redis.call('ZSCORE', KEYS[5], id) then p = p + 1
  elseif active[id] then a = a + 1
  elseif redis.call('EXISTS', prefix .. id) == 1 then w = w + 1
  else r = r + 1 end
end
return { #ids, c, f, d, p, a, w, r }
