--[[
  book: books one more Meta call for a running job (its second call onwards: the next page, the next table
  of a cache refresh, a poll). No lease is taken (the job holds one from acquire). A job that must wait
  longer than it can sleep parks with its reservation and, back in time, uses it (book-call.lua).

  KEYS[1] <prefix>:{<account>}:state    hash
  KEYS[2] <prefix>:{<account>}:gcra     hash
  KEYS[3] <prefix>:{<account>}:resv     zset
  KEYS[4] <prefix>:{<account>}:log:<buc> zset

  ARGV[1]  buc
  ARGV[2]  jobId ('' = no reservation: a future slot is booked as a call and the caller waits for it)
  ARGV[3..12] the booking arguments (book-args.lua)

  Returns {code, delayMs, slotAt, factorPermille, member, capacity}
    code 0 GRANTED (call now), 1 PACED, 2 BLOCKED, -1 INVALID_ARGUMENT (delayMs = ARGV index)
    member: the call's log entry (also for a future anonymous booking), '' for a reservation
  Time source: redis TIME.
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
local jobId = ARGV[2] or ''
if buc == nil or buc == '' then return {-1, 1, 0, 0, '', 0} end
local p, bad = bookArgs(3)
if not p then return {-1, bad, 0, 0, '', 0} end
local now = nowMs()
local code, delayMs, slot, member, capacity, factorPermille = bookCall(KEYS, buc, jobId, now, p)
return {code, delayMs, slot, factorPermille, member, capacity}
