--[[
  acquire: lets one job of one ad account make its first Meta call now, or tells it how long to park.

  Order: (1) concurrency: a job that finds every lease of the account taken waits (nothing is booked);
  (2) book the call in the (account, BUC) window log after any block and within the account-wide pace,
  honouring the job's own reservation (book-call.lua); (3) a future slot: park until then, the reservation
  kept; (4) due: take a lease and go.

  KEYS[1] <prefix>:{<account>}:state    hash   usage feedback and learned quotas (account-state.lua, quota-estimate.lua)
  KEYS[2] <prefix>:{<account>}:gcra     hash   TAT of the account-wide pace ('*')
  KEYS[3] <prefix>:{<account>}:resv     zset   "<buc>|<jobId>" -> reserved slot (ms)
  KEYS[4] <prefix>:{<account>}:leases   zset   jobId -> lease expiry (ms)
  KEYS[5] <prefix>:{<account>}:log:<buc> zset  the BUC's calls in Meta's window (window-log.lua)

  ARGV[1]  buc
  ARGV[2]  jobId
  ARGV[3..12] the booking arguments (book-args.lua): hint, windowMs, marginMs, share, accInterval, accBurst,
           grace, tolerance, probeTtl, probeRetry
  ARGV[13] maxLeases            concurrent jobs per account (0 = unlimited, no lease kept)
  ARGV[14] leaseTtlMs           a lease not released within this is reclaimed
  ARGV[15] concurrencyRetryMs   how long a job waits when every lease is taken (capped at the next expiry)

  Returns {code, delayMs, slotAt, factorPermille, member, capacity}
    code 0 GRANTED (lease taken), 1 PACED, 2 BLOCKED (account or BUC throttled), 3 CONCURRENCY,
    -1 INVALID_ARGUMENT (delayMs holds the ARGV index); see codes.ts
    delayMs: ms from now (Redis time) until the job should try again; 0 when granted
    slotAt: the call's slot in ms since the epoch (Redis time); member: its log entry when granted
    factorPermille: the account-wide slowdown in force, times 1000; capacity: calls per window booked
  Time source: redis.call('TIME') only.
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"
--- @include "account-state"
--- @include "quota-estimate"
--- @include "window-log"
--- @include "account-gcra"
--- @include "book-call"
--- @include "book-args"

local buc = ARGV[1]
local jobId = ARGV[2]
if buc == nil or buc == '' then return {-1, 1, 0, 0, '', 0} end
if jobId == nil or jobId == '' then return {-1, 2, 0, 0, '', 0} end
local p, bad = bookArgs(3)
if not p then return {-1, bad, 0, 0, '', 0} end
local maxLeases = numberArg(13, 0)
if not maxLeases then return {-1, 13, 0, 0, '', 0} end
local leaseTtl = numberArg(14, 1)
if not leaseTtl then return {-1, 14, 0, 0, '', 0} end
local retryMs = numberArg(15, 1)
if not retryMs then return {-1, 15, 0, 0, '', 0} end

local leasesKey = KEYS[4]
local now = nowMs()

-- (1) Concurrency first, so a job that cannot run books nothing.
if maxLeases > 0 then
  redis.call('ZREMRANGEBYSCORE', leasesKey, '-inf', now)
  local held = redis.call('ZSCORE', leasesKey, jobId)
  if not held and redis.call('ZCARD', leasesKey) >= maxLeases then
    local first = redis.call('ZRANGE', leasesKey, 0, 0, 'WITHSCORES')
    local wait = retryMs
    local untilExpiry = (tonumber(first[2]) or now) - now
    if untilExpiry < wait then wait = untilExpiry end
    if wait < 1 then wait = 1 end
    return {3, wait, now, 1000, '', 0}
  end
end

-- (2), (3) Book the call.
local code, delayMs, slot, member, capacity, factorPermille =
  bookCall({ KEYS[1], KEYS[2], KEYS[3], KEYS[5] }, buc, jobId, now, p)
if code ~= 0 then return {code, delayMs, slot, factorPermille, '', capacity} end

-- (4) Due: take the lease (a job that already holds one keeps it).
if maxLeases > 0 then
  redis.call('ZADD', leasesKey, now + leaseTtl, jobId)
  extendTtl(leasesKey, leaseTtl + 1000)
end
return {0, 0, slot, factorPermille, member, capacity}
