--[[
  app-admit: one Meta call of the whole app (one token and one app serve every ad account), checked against
  the app-wide block and the app's learned budget, and counted.

  KEYS[1] <prefix>:{app}       hash  until/reason/since (the app-wide block), util/utilAt, quota fields
                                     under the name 'app' (quota-estimate.lua), adm/ans: calls admitted
                                     and answers recorded (their difference = calls in flight)
  KEYS[2] <prefix>:{app}:calls   hash  calls per bucket (app-calls.lua)

  ARGV[1] windowMs   Meta's rolling window (real ms)
  ARGV[2] bucketMs   bucket width of the call count
  ARGV[3] share      share of the learned app budget this system books
  ARGV[4] marginMs   slack added when a bucket leaves the window

  Returns {code, delayMs, capacity, calls}
    code 0 ADMITTED (counted), 1 PACED (the app's budget for the window is used: wait delayMs),
    4 APP_BLOCKED (an app-wide throttle is in force for delayMs); capacity 0 = no budget learned yet.
  Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "quota-estimate"
--- @include "app-calls"

local windowMs = numberArg(1, 1)
if not windowMs then return {-1, 1} end
local bucketMs = numberArg(2, 1)
if not bucketMs then return {-1, 2} end
local share = numberArg(3, 0)
if not share or share <= 0 or share > 1 then return {-1, 3} end
local marginMs = numberArg(4, 0)
if not marginMs then return {-1, 4} end
local appKey, callsKey = KEYS[1], KEYS[2]
local now = nowMs()

local blockedUntil = tonumber(redis.call('HGET', appKey, 'until')) or 0
if blockedUntil > now then return {4, blockedUntil - now, 0, 0} end

local n, oldest = appCallsInWindow(callsKey, now, windowMs, bucketMs)
local qhat = estimateQuota(appKey, 'app', 0)
local capacity = 0
if qhat > 0 then capacity = math.max(1, math.floor(qhat * share + 1e-9)) end
if capacity > 0 and n >= capacity and oldest ~= nil then
  local frees = (oldest + 1) * bucketMs + windowMs + marginMs - now
  if frees < 1 then frees = 1 end
  return {1, math.ceil(frees), capacity, n}
end
local bucket = math.floor(now / bucketMs)
redis.call('HINCRBY', callsKey, bucket, 1)
redis.call('HINCRBY', appKey, 'adm', 1)
redis.call('PEXPIRE', callsKey, math.ceil(windowMs + 2 * bucketMs + 1000))
return {0, 0, capacity, n + 1}
