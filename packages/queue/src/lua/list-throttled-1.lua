--[[
  list-throttled: the (account, BUC) pairs blocked now, soonest-ending first, for operators.
  Drops entries whose block has ended, then reads at most `limit` entries (a bounded read, no KEYS/SCAN).

  KEYS[1] <prefix>:throttled   zset   member "<account>|<buc>", score = blocked until (ms)
  ARGV[1] limit (>= 1)

  Returns {now, total, member1, until1, member2, until2, ...}: now and untils in ms since the epoch
  (Redis time), total = entries still blocked; {-1, 1} INVALID_ARGUMENT.
]]
--- @include "now-ms"
--- @include "number-arg"

local limit = numberArg(1, 1)
if not limit then return {-1, 1} end
local now = nowMs()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local total = redis.call('ZCARD', KEYS[1])
local items = redis.call('ZRANGE', KEYS[1], 0, math.floor(limit) - 1, 'WITHSCORES')
local out = {now, total}
for i = 1, #items, 2 do
  out[#out + 1] = items[i]
  out[#out + 1] = math.floor(tonumber(items[i + 1]))
end
return out
