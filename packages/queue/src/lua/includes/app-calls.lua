--[[
  The app's calls in Meta's rolling window, all ad accounts together, counted in buckets of bucketMs:
  <prefix>:app:calls hash, field = bucket number (floor(ms / bucketMs)), value = calls admitted in it.
  appCallsInWindow(callsKey, now, windowMs, bucketMs) -> n, oldestBucket, currentCount
    drops buckets that left the window; n = calls in it; oldestBucket = the oldest bucket still in it (nil if
    none); currentCount = calls of the current bucket.
]]
local function appCallsInWindow(callsKey, now, windowMs, bucketMs)
  local first = math.floor((now - windowMs) / bucketMs)
  local current = math.floor(now / bucketMs)
  local all = redis.call('HGETALL', callsKey)
  local n, oldest, currentCount = 0, nil, 0
  for i = 1, #all, 2 do
    local bucket = tonumber(all[i])
    local count = tonumber(all[i + 1]) or 0
    if bucket == nil or bucket < first then
      redis.call('HDEL', callsKey, all[i])
    else
      n = n + count
      if oldest == nil or bucket < oldest then oldest = bucket end
      if bucket == current then currentCount = count end
    end
  end
  return n, oldest, currentCount
end
