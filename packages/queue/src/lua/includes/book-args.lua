--[[
  bookArgs(first) -> p, badIndex
  Reads the booking arguments (see book-call.lua) from ARGV[first] on, in this order: hint, windowMs,
  marginMs, share, accInterval, accBurst, grace, tolerance, probeTtl, probeRetry. Returns nil and the bad
  ARGV index when one is missing or out of range.
]]
local BOOK_ARG_NAMES = { 'hint', 'windowMs', 'marginMs', 'share', 'accInterval', 'accBurst', 'grace', 'tolerance',
  'probeTtl', 'probeRetry' }
local BOOK_ARG_COUNT = 10

local function bookArgs(first)
  local p = {}
  for i, name in ipairs(BOOK_ARG_NAMES) do
    local minimum = 0
    if name == 'windowMs' then minimum = 1 end
    local value = numberArg(first + i - 1, minimum)
    if not value then return nil, first + i - 1 end
    p[name] = value
  end
  if p.share <= 0 or p.share > 1 then return nil, first + 3 end
  return p, 0
end
