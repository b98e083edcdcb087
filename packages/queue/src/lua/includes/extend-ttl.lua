--[[
  extendTtl(key, ttlMs): makes `key` live at least `ttlMs` more milliseconds; never shortens its TTL.
  Keys are only garbage-collected this way: every value the limiter reads is a timestamp compared with now.
]]
local function extendTtl(key, ttlMs)
  local ttl = math.ceil(ttlMs)
  if ttl < 1 then ttl = 1 end
  local current = redis.call('PTTL', key)
  if current >= 0 and current >= ttl then return end
  if current == -2 then return end
  redis.call('PEXPIRE', key, ttl)
end
