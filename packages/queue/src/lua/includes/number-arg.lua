--[[
  numberArg(i, minimum): ARGV[i] as a number, or nil when it is missing, NaN or below `minimum`.
  Callers return {-1, i} (INVALID_ARGUMENT, see codes.ts) on nil.
]]
local function numberArg(i, minimum)
  local value = tonumber(ARGV[i])
  if value == nil or value ~= value or value < minimum then return nil end
  return value
end
