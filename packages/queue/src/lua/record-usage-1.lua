--[[
  record-usage: stores what Meta's usage headers say about one (account, BUC): the utilisation, the
  slowdown factor the limiter applies while it lasts, and a block until the regain time on a throttle.

  KEYS[1] <prefix>:{<account>}:state   hash
    util:<buc>        last utilisation (percent)        utilAt:<buc>     when (ms)
    slow:<buc>        interval multiplier (>= 1)         slowUntil:<buc>  until when it applies (ms)
    block:<buc>       blocked until (ms)                 reason:<buc>     short label, e.g. "meta 80004"
    <buc> '*' means the whole account (every BUC).

  ARGV[1] buc ('*' = whole account)
  ARGV[2] utilizationPct   percent; -1 = not reported (slowdown left unchanged)
  ARGV[3] factor           slowdown multiplier for this utilisation (1 = none), computed by the caller
  ARGV[4] slowTtlMs        how long a slowdown lasts without fresh headers
  ARGV[5] blockForMs       0 = no throttle; else block for this long from now (an existing longer block stays)
  ARGV[6] reason           label stored with a block

  Returns {blockUntil, blockRemainingMs, factorPermille}
    blockUntil: ms since the epoch (Redis time) the (account, BUC) is blocked until; 0 = not blocked now
    blockRemainingMs: blockUntil - now, 0 when not blocked
    factorPermille: the factor now in force for this key, times 1000
    -1 INVALID_ARGUMENT as {-1, argvIndex}
  Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"

local buc = ARGV[1]
if buc == nil or buc == '' then return {-1, 1} end
local util = numberArg(2, -1)
if not util then return {-1, 2} end
local factor = numberArg(3, 1)
if not factor then return {-1, 3} end
local slowTtl = numberArg(4, 1)
if not slowTtl then return {-1, 4} end
local blockFor = numberArg(5, 0)
if not blockFor then return {-1, 5} end
local reason = ARGV[6] or ''

local key = KEYS[1]
local now = nowMs()

if util >= 0 then
  redis.call('HSET', key, 'util:' .. buc, util, 'utilAt:' .. buc, now)
  if factor > 1 then
    redis.call('HSET', key, 'slow:' .. buc, factor, 'slowUntil:' .. buc, now + slowTtl)
  else
    redis.call('HDEL', key, 'slow:' .. buc, 'slowUntil:' .. buc)
  end
  extendTtl(key, slowTtl + 1000)
end

local blockUntil = tonumber(redis.call('HGET', key, 'block:' .. buc)) or 0
if blockFor > 0 then
  local candidate = now + math.ceil(blockFor)
  if candidate > blockUntil then
    blockUntil = candidate
    redis.call('HSET', key, 'block:' .. buc, blockUntil, 'reason:' .. buc, reason)
  end
  extendTtl(key, blockUntil - now + 1000)
end
local remaining = blockUntil - now
if remaining <= 0 then
  blockUntil = 0
  remaining = 0
end

local current = 1
if (tonumber(redis.call('HGET', key, 'slowUntil:' .. buc)) or 0) > now then
  current = tonumber(redis.call('HGET', key, 'slow:' .. buc)) or 1
end
return {blockUntil, remaining, math.floor(current * 1000)}
