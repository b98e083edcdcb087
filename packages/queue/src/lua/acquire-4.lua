--[[
  acquire: lets one job of one ad account call Meta now, or tells it how long to park.

  Order: (1) honour the job's own reservation if it has one and it is not stale, (2) otherwise book a GCRA
  slot (after any block), (3) park if the slot is in the future, (4) take a concurrency lease, (5) forget the reservation.
  A job that parks keeps its reservation, so when it returns at its slot it runs without booking again.

  KEYS[1] <prefix>:{<account>}:state    hash   usage feedback (see includes/account-state.lua)
  KEYS[2] <prefix>:{<account>}:gcra     hash   TAT per BUC and '*' (ms)
  KEYS[3] <prefix>:{<account>}:resv     zset   member "<buc>|<jobId>", score = reserved slot (ms)
  KEYS[4] <prefix>:{<account>}:leases   zset   member jobId, score = lease expiry (ms)

  ARGV[1]  buc                  business use case, e.g. ads_insights
  ARGV[2]  jobId
  ARGV[3]  bucIntervalMs        ms between calls of this BUC (0 = not paced)
  ARGV[4]  bucBurst             calls allowed back to back on top of the first
  ARGV[5]  accountIntervalMs    ms between calls of any BUC on this account (0 = no account-wide pace)
  ARGV[6]  accountBurst
  ARGV[7]  cost                 slots this job books (>= 1)
  ARGV[8]  maxLeases            concurrent jobs per account (0 = unlimited, no lease kept)
  ARGV[9]  leaseTtlMs           a lease not released within this is reclaimed
  ARGV[10] concurrencyRetryMs   how long a job waits when every lease is taken (capped at the next expiry)
  ARGV[11] reservationGraceMs   a reservation older than this is dropped (the job books again)
  ARGV[12] earlyToleranceMs     a slot this close is treated as due

  Returns {code, delayMs, slotAt, factorPermille}
    code 0 GRANTED (lease taken), 1 PACED, 2 BLOCKED (account or BUC throttled), 3 CONCURRENCY,
    -1 INVALID_ARGUMENT (delayMs holds the ARGV index); see codes.ts
    delayMs: ms from now (Redis time) until the job should try again; 0 when granted
    slotAt: the job's slot in ms since the epoch, Redis time
    factorPermille: the slowdown factor applied to the BUC interval, times 1000
  Time source: redis.call('TIME') only.
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"
--- @include "account-state"
--- @include "reserve-gcra"

local buc = ARGV[1]
local jobId = ARGV[2]
if buc == nil or buc == '' then return {-1, 1, 0, 0} end
if jobId == nil or jobId == '' then return {-1, 2, 0, 0} end
local bucInterval = numberArg(3, 0)
if not bucInterval then return {-1, 3, 0, 0} end
local bucBurst = numberArg(4, 0)
if not bucBurst then return {-1, 4, 0, 0} end
local accInterval = numberArg(5, 0)
if not accInterval then return {-1, 5, 0, 0} end
local accBurst = numberArg(6, 0)
if not accBurst then return {-1, 6, 0, 0} end
local cost = numberArg(7, 1)
if not cost then return {-1, 7, 0, 0} end
local maxLeases = numberArg(8, 0)
if not maxLeases then return {-1, 8, 0, 0} end
local leaseTtl = numberArg(9, 1)
if not leaseTtl then return {-1, 9, 0, 0} end
local retryMs = numberArg(10, 1)
if not retryMs then return {-1, 10, 0, 0} end
local grace = numberArg(11, 0)
if not grace then return {-1, 11, 0, 0} end
local tolerance = numberArg(12, 0)
if not tolerance then return {-1, 12, 0, 0} end

local stateKey, gcraKey, resvKey, leasesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = nowMs()
local member = buc .. '|' .. jobId

redis.call('ZREMRANGEBYSCORE', resvKey, '-inf', '(' .. (now - grace))
local blockUntil, bucFactor, accFactor = readAccountState(stateKey, buc, now)
local factorPermille = math.floor(bucFactor * 1000)

-- (1) A reservation stays valid unless a block began after it was made and ends after its slot, or the job
-- comes back more than one interval after its slot (it waited for a lease, or the queue ran behind): its
-- place has passed, and using it now would put two calls where the pace allows one, which is how a backlog
-- bunches calls into one of Meta's rolling windows. Such a job books again (at once when the account is idle).
local slot = tonumber(redis.call('ZSCORE', resvKey, member))
local lateMs = bucInterval * bucFactor
if slot ~= nil and lateMs > 0 and now - slot > lateMs then slot = nil end
if slot == nil or (blockUntil > 0 and slot < blockUntil) then
  -- (2) Book a slot. While the usage feedback slows the account down, no burst.
  local bb, ab = bucBurst, accBurst
  if bucFactor > 1 then bb = 0 end
  if accFactor > 1 then ab = 0 end
  slot = reserveGcra(gcraKey, buc, now, math.max(now, blockUntil), bucInterval * bucFactor, bb,
    accInterval * accFactor, ab, cost)
  redis.call('ZADD', resvKey, slot, member)
  extendTtl(resvKey, slot - now + grace + 1000)
end

-- (3) Not yet: park until the slot.
if slot - now > tolerance then
  local code = 1
  if blockUntil > 0 then code = 2 end
  return {code, slot - now, slot, factorPermille}
end

-- (4) Concurrency: reclaim expired leases, then take one (a job that already holds one keeps it).
if maxLeases > 0 then
  redis.call('ZREMRANGEBYSCORE', leasesKey, '-inf', now)
  local held = redis.call('ZSCORE', leasesKey, jobId)
  if not held and redis.call('ZCARD', leasesKey) >= maxLeases then
    local first = redis.call('ZRANGE', leasesKey, 0, 0, 'WITHSCORES')
    local wait = retryMs
    local untilExpiry = (tonumber(first[2]) or now) - now
    if untilExpiry < wait then wait = untilExpiry end
    if wait < 1 then wait = 1 end
    return {3, wait, slot, factorPermille}
  end
  redis.call('ZADD', leasesKey, now + leaseTtl, jobId)
  extendTtl(leasesKey, leaseTtl + 1000)
end

-- (5) The slot is used: forget the reservation (a retry of this job books a new one).
redis.call('ZREM', resvKey, member)
return {0, 0, slot, factorPermille}
