--[[
  reserve: books one slot for an extra call inside a running job (no lease, no reservation memory).
  Use it for calls beyond the one the job acquired for, e.g. the next page or the next poll.

  KEYS[1] <prefix>:{<account>}:state   hash   usage feedback
  KEYS[2] <prefix>:{<account>}:gcra    hash   TAT per BUC and '*' (ms)

  ARGV[1] buc
  ARGV[2] bucIntervalMs       (0 = not paced)
  ARGV[3] bucBurst
  ARGV[4] accountIntervalMs   (0 = no account-wide pace)
  ARGV[5] accountBurst
  ARGV[6] cost                (>= 1)

  Returns {code, delayMs, slotAt, factorPermille}
    code 0 GRANTED (call now), 1 PACED, 2 BLOCKED, -1 INVALID_ARGUMENT (delayMs = ARGV index)
    delayMs: ms from now until the booked slot; slotAt: ms since the epoch. Time source: redis TIME.
]]
--- @include "now-ms"
--- @include "number-arg"
--- @include "extend-ttl"
--- @include "account-state"
--- @include "reserve-gcra"

local buc = ARGV[1]
if buc == nil or buc == '' then return {-1, 1, 0, 0} end
local bucInterval = numberArg(2, 0)
if not bucInterval then return {-1, 2, 0, 0} end
local bucBurst = numberArg(3, 0)
if not bucBurst then return {-1, 3, 0, 0} end
local accInterval = numberArg(4, 0)
if not accInterval then return {-1, 4, 0, 0} end
local accBurst = numberArg(5, 0)
if not accBurst then return {-1, 5, 0, 0} end
local cost = numberArg(6, 1)
if not cost then return {-1, 6, 0, 0} end

local now = nowMs()
local blockUntil, bucFactor, accFactor = readAccountState(KEYS[1], buc, now)
local bb, ab = bucBurst, accBurst
if bucFactor > 1 then bb = 0 end
if accFactor > 1 then ab = 0 end
local slot = reserveGcra(KEYS[2], buc, now, math.max(now, blockUntil), bucInterval * bucFactor, bb,
  accInterval * accFactor, ab, cost)
local code = 0
if slot > now then
  code = 1
  if blockUntil > 0 then code = 2 end
end
return {code, slot - now, slot, math.floor(bucFactor * 1000)}
