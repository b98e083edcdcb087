--[[
  extend-lease: pushes a held lease's expiry to now + ttlMs.

  KEYS[1] <prefix>:{<account>}:leases   zset   member jobId, score = expiry (ms)
  ARGV[1] jobId
  ARGV[2] ttlMs

  Returns {expiresAt} (ms since the epoch, Redis time), or {-2} LEASE_LOST when the lease expired and was
  reclaimed (or never existed), or {-1, 2} INVALID_ARGUMENT. Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"

local ttl = numberArg(2, 1)
if not ttl then return {-1, 2} end
local now = nowMs()
local score = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if score == nil or score <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {-2}
end
local expiresAt = now + math.ceil(ttl)
redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
extendTtl(KEYS[1], ttl + 1000)
return {expiresAt}
