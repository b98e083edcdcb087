--[[
  The calls of one (account, BUC) in Meta's rolling window, as a sorted set <prefix>:{<account>}:log:<buc>:
  member = a zero-padded sequence number for a booked call (sorts in booking order within one ms), or
  "r|<jobId>" for a parked job's reserved call; score = its slot (ms, Redis time).

  logPrune(logKey, now, windowMs, marginMs): drops calls that left the window (they constrain nothing).
  logNextSlot(logKey, vnow, capacity, windowMs, marginMs) -> slot
    The earliest slot >= vnow that keeps every window of windowMs at `capacity` calls or fewer: vnow while
    fewer than `capacity` calls are booked, else the capacity-th most recent call's slot + windowMs +
    marginMs (the margin covers the time a call takes to reach Meta). Correct whatever order calls were
    booked in: at most capacity - 1 booked calls lie after that call, so no window holds more than capacity.
  logSeqMember(stateKey, buc, now) -> the next sequence member for a booked call (a fresh counter starts at
    now·1000, so members stay unique and ordered even after the state hash expired and came back).
]]
local LOG_CAP = 5000

local function logPrune(logKey, now, windowMs, marginMs)
  redis.call('ZREMRANGEBYSCORE', logKey, '-inf', '(' .. (now - windowMs - marginMs))
  local size = redis.call('ZCARD', logKey)
  if size > LOG_CAP then redis.call('ZREMRANGEBYRANK', logKey, 0, size - LOG_CAP - 1) end
end

local function logNextSlot(logKey, vnow, capacity, windowMs, marginMs)
  if redis.call('ZCARD', logKey) < capacity then return vnow end
  local entry = redis.call('ZREVRANGE', logKey, capacity - 1, capacity - 1, 'WITHSCORES')
  local slot = math.ceil((tonumber(entry[2]) or 0) + windowMs + marginMs)
  if slot < vnow then slot = vnow end
  return slot
end

local function logSeqMember(stateKey, buc, now)
  local seq = redis.call('HINCRBY', stateKey, 'seq:' .. buc, 1)
  if seq == 1 then
    seq = now * 1000
    redis.call('HSET', stateKey, 'seq:' .. buc, seq)
  end
  return string.format('%017.0f', seq)
end
