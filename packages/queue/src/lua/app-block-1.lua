--[[
  app-block: reads the app-wide block.

  KEYS[1] <prefix>:app   hash   until (ms), reason, since (ms)

  Returns {remainingMs, until, reason, since}: remainingMs 0 (and until 0, reason '') when there is no
  block in force. Times in ms since the epoch, Redis time (redis.call('TIME')).
]]
--- @include "now-ms"

local now = nowMs()
local v = redis.call('HMGET', KEYS[1], 'until', 'reason', 'since')
local blockUntil = tonumber(v[1]) or 0
if blockUntil <= now then return {0, 0, '', 0} end
return {blockUntil - now, blockUntil, v[2] or '', tonumber(v[3]) or 0}
