--[[
  nowMs(): Redis server time in whole milliseconds since the epoch, from redis.call('TIME').
  The limiter never uses a worker's clock, so clock skew between worker machines cannot break pacing.
  (Redis >= 5 replicates script effects, so reading TIME before writing is allowed.)
]]
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
