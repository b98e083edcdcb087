--[[
  app-usage: what one Meta answer says about the app-wide budget (X-App-Usage call_count / total_time /
  total_cputime, X-FB-Ads-Insights-Throttle app_id_util_pct: the caller passes the highest), and app-level
  throttles (code 4, 341, 613/1996). Learns the app's budget like a BUC quota (quota-estimate.lua, name
  'app') from the calls counted by app-admit; blocks the app at 100 % until the oldest counted calls leave
  the window, and on a throttle for Meta's time.

  KEYS[1] <prefix>:{app}         hash (app-admit-2.lua)
  KEYS[2] <prefix>:{app}:calls   hash

  Call it for EVERY answer once the app's usage is tracked (utilizationPct -1 when an answer has no app
  usage): answers are counted, and calls admitted but not answered yet widen what an answer teaches.

  ARGV[1] utilizationPct   percent; -1 = not reported
  ARGV[2] blockForMs       0 = no throttle; else block the app this long (an existing later block stays)
  ARGV[3] reason           label stored with a block
  ARGV[4] windowMs
  ARGV[5] bucketMs
  ARGV[6] marginMs
  ARGV[7] memoryMs         how long what was learned is kept without new answers
  ARGV[8] fullBlockMs      block after a full window when none of our calls is counted in it

  Returns {blockUntil, remainingMs, quotaLo, quotaHi, calls}
  Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"
--- @include "quota-estimate"
--- @include "app-calls"

local util = tonumber(ARGV[1])
if util == nil or util ~= util then return {-1, 1} end
local blockFor = numberArg(2, 0)
if not blockFor then return {-1, 2} end
local reason = ARGV[3] or ''
local windowMs = numberArg(4, 1)
if not windowMs then return {-1, 4} end
local bucketMs = numberArg(5, 1)
if not bucketMs then return {-1, 5} end
local marginMs = numberArg(6, 0)
if not marginMs then return {-1, 6} end
local memoryMs = numberArg(7, 1)
if not memoryMs then return {-1, 7} end
local fullBlockMs = numberArg(8, 0)
if not fullBlockMs then return {-1, 8} end
local appKey, callsKey = KEYS[1], KEYS[2]
local now = nowMs()

local n, oldest = appCallsInWindow(callsKey, now, windowMs, bucketMs)
local answered = redis.call('HINCRBY', appKey, 'ans', 1)
local admitted = tonumber(redis.call('HGET', appKey, 'adm')) or 0
local inFlight = math.max(0, admitted - answered)
if inFlight >= n and n > 0 then
  -- Answers lost to timeouts or crashes would make this grow for ever: never more than the window holds.
  inFlight = n - 1
  redis.call('HSET', appKey, 'ans', admitted - inFlight)
end
if util >= 0 then
  redis.call('HSET', appKey, 'util', util, 'utilAt', now)
  if n >= 1 then
    local lo, hi = observeQuota(appKey, 'app', math.max(1, n - inFlight), n, util)
    redis.call('HSET', appKey, 'qest:app', quotaFromInterval(lo, hi, 0))
  end
  if util >= 100 then
    local frees = fullBlockMs
    if oldest ~= nil then frees = (oldest + 1) * bucketMs + windowMs + marginMs - now end
    if frees > blockFor then blockFor = frees end
    if reason == '' then reason = 'app usage ' .. util .. '%' end
  end
end

local current = tonumber(redis.call('HGET', appKey, 'until')) or 0
if blockFor > 0 then
  local candidate = now + math.ceil(blockFor)
  if candidate > current then
    current = candidate
    redis.call('HSET', appKey, 'until', current, 'reason', reason, 'since', now)
  end
end
local remaining = current - now
if remaining <= 0 then
  current = 0
  remaining = 0
end
extendTtl(appKey, math.max(memoryMs, remaining) + 1000)
local v = redis.call('HMGET', appKey, 'qlo:app', 'qhi:app')
return {current, remaining, tostring(tonumber(v[1]) or 0), tostring(tonumber(v[2]) or 0), n}
