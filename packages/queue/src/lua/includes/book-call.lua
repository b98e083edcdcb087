--[[
  bookCall(keys, buc, jobId, now, p) -> code, delayMs, slot, member, capacity, factorPermille
  Books one Meta call of one (account, BUC) in the window log (see window-log.lua), after any block and
  within the account-wide pace. keys = {state, gcra, resv, log}; p = the numeric arguments:
    hint        quota assumed before anything is learned (calls per window); 0 = this BUC is not paced
    windowMs    Meta's rolling window in real ms; marginMs: slack added when a call leaves it
    share       share of the estimated quota this system books (the rest is margin for others)
    accInterval, accBurst   the account-wide pace (0 = none)
    grace       a reservation older than this is forgotten; tolerance: a slot this close counts as due
    probeTtl, probeRetry    before Meta has answered once for this (account, BUC), one call at a time
  A job (jobId ~= '') whose slot lies in the future keeps it as a reservation ("r|<jobId>" in the log and
  "<buc>|<jobId>" in resv): when it comes back in time it uses it without booking again; it books again when
  it comes back later than `marginMs` after its slot, or when a block began that ends after the slot.
  Codes: 0 GRANTED (member = the call's log entry, to pass to record-usage), 1 PACED, 2 BLOCKED.
  A granted call counts as in flight (fly:<buc>) until record-usage gets its answer.
]]
local function bookCall(keys, buc, jobId, now, p)
  local stateKey, gcraKey, resvKey, logKey = keys[1], keys[2], keys[3], keys[4]
  local blockUntil, _, accFactor = readAccountState(stateKey, buc, now)
  local factorPermille = math.floor(accFactor * 1000)
  logPrune(logKey, now, p.windowMs, p.marginMs)
  redis.call('ZREMRANGEBYSCORE', resvKey, '-inf', '(' .. (now - p.grace))
  local qhat, _, _, obs = estimateQuota(stateKey, buc, p.hint)
  local capacity = 0
  if p.hint > 0 then capacity = math.max(1, math.floor(qhat * p.share + 1e-9)) end

  local resvMember = buc .. '|' .. jobId
  local logResv = 'r|' .. jobId
  local slot = nil
  if jobId ~= '' then slot = tonumber(redis.call('ZSCORE', resvKey, resvMember)) end
  if slot ~= nil then
    local late = now - slot > p.marginMs
    if late or (blockUntil > 0 and slot < blockUntil) then
      redis.call('ZREM', resvKey, resvMember)
      redis.call('ZREM', logKey, logResv)
      slot = nil
    elseif slot - now > p.tolerance then
      local code = 1
      if blockUntil > 0 then code = 2 end
      return code, slot - now, slot, '', capacity, factorPermille
    else
      redis.call('ZREM', resvKey, resvMember)
      redis.call('ZREM', logKey, logResv)
      local member = logSeqMember(stateKey, buc, now)
      redis.call('ZADD', logKey, slot, member)
      redis.call('HINCRBY', stateKey, 'fly:' .. buc, 1)
      return 0, 0, slot, member, capacity, factorPermille
    end
  end

  local vnow = math.max(now, blockUntil)
  if capacity > 0 and obs == 0 and vnow == now and redis.call('HEXISTS', stateKey, 'ans:' .. buc) == 0 then
    local probe = tonumber(redis.call('HGET', stateKey, 'probe:' .. buc)) or 0
    if probe > now - p.probeTtl then
      return 1, math.max(1, math.min(p.probeRetry, probe + p.probeTtl - now)), now, '', capacity,
        factorPermille
    end
  end
  local s = vnow
  if capacity > 0 then s = logNextSlot(logKey, vnow, capacity, p.windowMs, p.marginMs) end
  s = reserveAccountGcra(gcraKey, s, p.accInterval * accFactor, (accFactor > 1) and 0 or p.accBurst)
  local ttl = s - now + p.windowMs + p.marginMs + 1000
  if s - now > p.tolerance then
    local code = 1
    if blockUntil > 0 then code = 2 end
    if jobId ~= '' then
      redis.call('ZADD', logKey, s, logResv)
      redis.call('ZADD', resvKey, s, resvMember)
      extendTtl(resvKey, s - now + p.grace + 1000)
      extendTtl(logKey, ttl)
      return code, s - now, s, '', capacity, factorPermille
    end
    local member = logSeqMember(stateKey, buc, now)
    redis.call('ZADD', logKey, s, member)
    extendTtl(logKey, ttl)
    return code, s - now, s, member, capacity, factorPermille
  end
  if capacity > 0 and obs == 0 then redis.call('HSET', stateKey, 'probe:' .. buc, now) end
  local member = logSeqMember(stateKey, buc, now)
  redis.call('ZADD', logKey, s, member)
  redis.call('HINCRBY', stateKey, 'fly:' .. buc, 1)
  extendTtl(logKey, ttl)
  extendTtl(stateKey, ttl)
  return 0, 0, s, member, capacity, factorPermille
end
