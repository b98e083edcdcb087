--[[
  block-app: records an app-wide block (Meta app-level throttle: code 4, 341, 613/1996). Every worker
  turns it into queue.rateLimit(ms) on every queue, and acquire() answers app_blocked until it ends.

  KEYS[1] <prefix>:app   hash   until (ms), reason, since (ms)
  ARGV[1] blockForMs   (> 0)
  ARGV[2] reason       short label

  Returns {blockUntil, remainingMs} (ms since the epoch, Redis time; an existing later block stays), or
  {-1, 1} INVALID_ARGUMENT. Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"

local blockFor = numberArg(1, 1)
if not blockFor then return {-1, 1} end
local now = nowMs()
local current = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
local candidate = now + math.ceil(blockFor)
if candidate > current then
  redis.call('HSET', KEYS[1], 'until', candidate, 'reason', ARGV[2] or '', 'since', now)
  current = candidate
end
extendTtl(KEYS[1], current - now + 1000)
return {current, current - now}
