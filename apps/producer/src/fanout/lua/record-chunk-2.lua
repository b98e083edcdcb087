--[[
  Records one fan-out chunk of a run, idempotently (a chunk recorded twice counts once).

  KEYS[1] run hash     <prefix>:producer:run:<runId>
  KEYS[2] run job set  <prefix>:producer:run:<runId>:jobs  (sorted set: job id -> insertion sequence)

  ARGV[1] ttl in seconds for both keys
  ARGV[2] number N of job ids this run created (or re-found under its own job id)
  ARGV[3 .. 2+N]  those job ids
  ARGV[3+N .. ]   job ids of pending jobs of other runs that the deduplication returned instead

  Returns { newly created, newly skipped as duplicate } for this call.
  Time source: none. Sequence numbers come from HINCRBY on the hash, so the set keeps insertion order.
]]
local runKey = KEYS[1]
local jobsKey = KEYS[2]
local ttl = tonumber(ARGV[1])
local own = tonumber(ARGV[2])
local created = 0
local skipped = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  if redis.call('ZSCORE', jobsKey, id) == false then
    local seq = redis.call('HINCRBY', runKey, 'seq', 1)
    redis.call('ZADD', jobsKey, seq, id)
    if i <= 2 + own then created = created + 1 else skipped = skipped + 1 end
  end
end
if created > 0 then redis.call('HINCRBY', runKey, 'created', created) end
if skipped > 0 then redis.call('HINCRBY', runKey, 'skipped', skipped) end
redis.call('EXPIRE', runKey, ttl)
if redis.call('EXISTS', jobsKey) == 1 then redis.call('EXPIRE', jobsKey, ttl) end
return { created, skipped }
