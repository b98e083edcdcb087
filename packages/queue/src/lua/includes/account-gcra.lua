--[[
  reserveAccountGcra(gcraKey, start, interval, burst) -> slot
  The account-wide pace (Meta's ad-account score limit covers every BUC): a reserve-mode GCRA whose TAT
  ("theoretical arrival time", ms, Redis time) is field '*' of the account's gcra hash. The slot is the
  earliest time >= start the pace allows (TAT - interval·burst); the TAT moves to max(TAT, slot) + interval.
  interval 0 = no account-wide pace (start is returned unchanged).
]]
local function reserveAccountGcra(gcraKey, start, interval, burst)
  if interval <= 0 then return start end
  local tat = tonumber(redis.call('HGET', gcraKey, '*')) or 0
  if tat < start then tat = start end
  local slot = tat - interval * burst
  if slot < start then slot = start end
  slot = math.ceil(slot)
  local newTat = math.ceil(math.max(tat, slot) + interval)
  redis.call('HSET', gcraKey, '*', newTat)
  extendTtl(gcraKey, newTat - start + 1000)
  return slot
end
