--[[
  record-usage: what one Meta answer says about one ad account, as one or more reports (its BUCs and the
  whole account, '*'), applied in order in one call. Per report: the utilisation, what it teaches about the
  BUC's quota (quota-estimate.lua), the account-wide slowdown ('*'), and blocks: on a throttle until Meta's
  retry time, and after an answer at 100 % or more until our oldest call in the window leaves it (never
  another call into a full window).

  The key count varies with the reports (the file name's `n`): KEYS[1] and one log key per report.
  KEYS[1]   <prefix>:{<account>}:state    hash
    util:<buc>, utilAt:<buc>   last utilisation (percent) and when (ms)
    slow:<buc>, slowUntil:<buc> interval multiplier (>= 1, account-wide '*' only) and until when
    block:<buc>, reason:<buc>  blocked until (ms) and a short label, e.g. "meta 80004/2446079"
    ans:<buc>                  Meta has answered for this BUC (ends the one-call-at-a-time probe)
    quota fields: see quota-estimate.lua. <buc> '*' means the whole account (every BUC).
  KEYS[1+r] <prefix>:{<account>}:log:<buc of report r>   zset (window-log.lua); any key of the account for '*' (unused)

  ARGV[1]  reports          how many reports follow (r = 1..n)
  ARGV[2]  slowTtlMs        how long a slowdown lasts without fresh headers
  ARGV[3]  windowMs         Meta's rolling window (real ms)
  ARGV[4]  marginMs         slack added when a call leaves the window
  ARGV[5]  memoryMs         how long what was learned is kept without new answers
  ARGV[6]  fullBlockMs      block after a full window when none of our calls is in it (others filled it)
  ARGV[7]  inFlightMs       a call booked longer ago than this is no longer counted as in flight (its answer was lost)
  then 9 per report, from b = 7 + 9 * (r - 1):
  ARGV[b+1] buc             ('*' = whole account)
  ARGV[b+2] utilizationPct  percent; -1 = not reported
  ARGV[b+3] factor          account-wide slowdown for this utilisation ('*'; 1 = none)
  ARGV[b+4] blockForMs      0 = no throttle; else block for this long from now (an existing longer block stays)
  ARGV[b+5] reason          label stored with a block
  ARGV[b+6] member          the call's log entry ('' = unknown: nothing learned about the quota)
  ARGV[b+7] slotAt          the call's slot (ms, Redis time), with member
  ARGV[b+8] throttled       1 when the call was refused by a throttle (it is dropped from the log: Meta did not count it)
  ARGV[b+9] quotaHint       the quota assumed before anything was learned (stored with the estimate: qest:<buc>)

  Returns, per report in order, {blockUntil, blockRemainingMs, factorPermille, quotaLo, quotaHi} (one flat list)
    blockUntil: ms since the epoch (Redis time), 0 = not blocked now; blockRemainingMs: blockUntil - now
    factorPermille: the factor in force for this key, times 1000; quotaLo/quotaHi: the learned interval
    (0 0 when nothing is known; quotaHi 0 = no upper bound)
    -1 INVALID_ARGUMENT as {-1, argvIndex}: every argument is checked before anything is written
  Time source: redis.call('TIME').
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"
--- @include "quota-estimate"

local count = numberArg(1, 1)
if not count or count ~= math.floor(count) or #KEYS ~= count + 1 or #ARGV ~= 7 + 9 * count then return {-1, 1} end
local slowTtl = numberArg(2, 1)
if not slowTtl then return {-1, 2} end
local windowMs = numberArg(3, 1)
if not windowMs then return {-1, 3} end
local marginMs = numberArg(4, 0)
if not marginMs then return {-1, 4} end
local memoryMs = numberArg(5, 1)
if not memoryMs then return {-1, 5} end
local fullBlockMs = numberArg(6, 0)
if not fullBlockMs then return {-1, 6} end
local inFlightMs = numberArg(7, 1)
if not inFlightMs then return {-1, 7} end

local reports = {}
for r = 1, count do
  local b = 7 + 9 * (r - 1)
  local buc = ARGV[b + 1]
  if buc == nil or buc == '' then return {-1, b + 1} end
  local util = tonumber(ARGV[b + 2])
  if util == nil or util ~= util then return {-1, b + 2} end
  local factor = numberArg(b + 3, 1)
  if not factor then return {-1, b + 3} end
  local blockFor = numberArg(b + 4, 0)
  if not blockFor then return {-1, b + 4} end
  local slotAt = numberArg(b + 7, 0)
  if not slotAt then return {-1, b + 7} end
  local quotaHint = numberArg(b + 9, 0)
  if not quotaHint then return {-1, b + 9} end
  reports[r] = {
    buc = buc, util = util, factor = factor, blockFor = blockFor, reason = ARGV[b + 5] or '',
    member = ARGV[b + 6] or '', slotAt = slotAt, throttled = ARGV[b + 8] == '1', quotaHint = quotaHint,
    logKey = KEYS[1 + r],
  }
end

local key = KEYS[1]
local now = nowMs()

local function record(report)
  local buc, util, logKey = report.buc, report.util, report.logKey
  local member, slotAt, throttled = report.member, report.slotAt, report.throttled
  local blockFor, reason = report.blockFor, report.reason

  if buc ~= '*' then
    redis.call('HSET', key, 'ans:' .. buc, 1)
    redis.call('HDEL', key, 'probe:' .. buc)
  end

  if util >= 0 then
    redis.call('HSET', key, 'util:' .. buc, util, 'utilAt:' .. buc, now)
    if report.factor > 1 then
      redis.call('HSET', key, 'slow:' .. buc, report.factor, 'slowUntil:' .. buc, now + slowTtl)
    else
      redis.call('HDEL', key, 'slow:' .. buc, 'slowUntil:' .. buc)
    end
  end

  if buc ~= '*' and member ~= '' then
    -- Other calls of this (account, BUC) in flight when this one was answered: Meta may have counted them
    -- before it or not yet. Never more than the calls booked lately (a lost answer does not count for ever).
    local recent = redis.call('ZCOUNT', logKey, now - inFlightMs, now)
    local flying = tonumber(redis.call('HGET', key, 'fly:' .. buc)) or 0
    local others = math.max(0, math.min(flying, recent) - 1)
    redis.call('HSET', key, 'fly:' .. buc, others)
    if throttled then
      redis.call('ZREM', logKey, member)
    elseif util >= 0 then
      -- Our calls Meta had counted when it answered: those booked before this one in the window, and this one.
      -- Calls near the window's start may or may not have left Meta's window yet (a call reaches Meta a
      -- little after its slot): they widen the count.
      -- How late a call may reach Meta: at least the margin, at least twice this call's own round trip (other
      -- calls of a busy moment may have waited longer than this one).
      local lag = math.max(marginMs, 2 * (now - slotAt))
      local inside = redis.call('ZCOUNT', logKey, '(' .. (slotAt - windowMs + lag), '(' .. slotAt)
      local edge = redis.call('ZCOUNT', logKey, '(' .. (slotAt - windowMs - lag), slotAt - windowMs + lag)
      local same = redis.call('ZRANGEBYSCORE', logKey, slotAt, slotAt)
      local n = inside
      for _, m in ipairs(same) do
        if m <= member then n = n + 1 end
      end
      if n >= 1 then
        local lo, hi = observeQuota(key, buc, math.max(1, n - others), n + edge + others, util)
        redis.call('HSET', key, 'qest:' .. buc, quotaFromInterval(lo, hi, report.quotaHint))
      end
    end
  end

  if buc ~= '*' and util >= 100 and not throttled then
    -- A full window: nothing more until our oldest call in it leaves (or Meta's own time, if longer).
    local oldest = redis.call('ZRANGEBYSCORE', logKey, '(' .. (now - windowMs), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    local frees = fullBlockMs
    if oldest[2] then frees = tonumber(oldest[2]) + windowMs + marginMs - now end
    if frees > blockFor then blockFor = frees end
    if reason == '' then reason = 'usage ' .. util .. '%' end
  end

  local blockUntil = tonumber(redis.call('HGET', key, 'block:' .. buc)) or 0
  if blockFor > 0 then
    local candidate = now + math.ceil(blockFor)
    if candidate > blockUntil then
      blockUntil = candidate
      redis.call('HSET', key, 'block:' .. buc, blockUntil, 'reason:' .. buc, reason)
    end
  end
  local remaining = blockUntil - now
  if remaining <= 0 then
    blockUntil = 0
    remaining = 0
  end
  extendTtl(key, math.max(memoryMs, slowTtl, remaining) + 1000)

  local current = 1
  if (tonumber(redis.call('HGET', key, 'slowUntil:' .. buc)) or 0) > now then
    current = tonumber(redis.call('HGET', key, 'slow:' .. buc)) or 1
  end
  local lo, hi = 0, 0
  if buc ~= '*' then
    local v = redis.call('HMGET', key, 'qlo:' .. buc, 'qhi:' .. buc)
    lo, hi = tonumber(v[1]) or 0, tonumber(v[2]) or 0
  end
  return blockUntil, remaining, math.floor(current * 1000), tostring(lo), tostring(hi)
end

local out = {}
for r = 1, count do
  local blockUntil, remaining, factorPermille, lo, hi = record(reports[r])
  local at = 5 * (r - 1)
  out[at + 1], out[at + 2], out[at + 3], out[at + 4], out[at + 5] = blockUntil, remaining, factorPermille, lo, hi
end
return out
