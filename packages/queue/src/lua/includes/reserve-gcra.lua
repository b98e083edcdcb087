--[[
  reserveGcra(gcraKey, buc, now, vnow, bucInterval, bucBurst, accInterval, accBurst, cost) -> slot

  Reserve-mode GCRA (generic cell rate algorithm) over up to two limits at once: the (account, BUC) limit
  in field <buc> of the account's gcra hash and, when accInterval > 0, the account-wide limit in field '*'.
  Each field holds a TAT ("theoretical arrival time", ms, Redis time).

  For one limit with emission interval T and burst b: the earliest start is max(vnow, TAT - T*b); the call
  is booked by moving TAT to max(TAT, start) + T*cost. The slot is the latest of the limits' earliest
  starts, and both TATs are booked from that slot. vnow is max(now, end of any block), so a job that asks
  during a block gets a distinct slot after the block rather than a herd at its end.
  An interval of 0 disables that limit. Intervals already include the usage slowdown factor.
  Returns the slot (ms, Redis time, >= vnow).
]]
local function gcraStart(tat, vnow, interval, burst)
  if tat < vnow then tat = vnow end
  local start = tat - interval * burst
  if start < vnow then start = vnow end
  return start, tat
end

local function reserveGcra(gcraKey, buc, now, vnow, bucInterval, bucBurst, accInterval, accBurst, cost)
  local tats = redis.call('HMGET', gcraKey, buc, '*')
  local slot = vnow
  local bucTat = 0
  local accTat = 0
  if bucInterval > 0 then
    local start
    start, bucTat = gcraStart(tonumber(tats[1]) or 0, vnow, bucInterval, bucBurst)
    if start > slot then slot = start end
  end
  if accInterval > 0 then
    local start
    start, accTat = gcraStart(tonumber(tats[2]) or 0, vnow, accInterval, accBurst)
    if start > slot then slot = start end
  end
  slot = math.ceil(slot)
  local horizon = 0
  if bucInterval > 0 then
    local newTat = math.ceil(math.max(bucTat, slot) + bucInterval * cost)
    redis.call('HSET', gcraKey, buc, newTat)
    horizon = newTat
  end
  if accInterval > 0 then
    local newTat = math.ceil(math.max(accTat, slot) + accInterval * cost)
    redis.call('HSET', gcraKey, '*', newTat)
    if newTat > horizon then horizon = newTat end
  end
  if horizon > now then extendTtl(gcraKey, horizon - now + 1000) end
  return slot
end
