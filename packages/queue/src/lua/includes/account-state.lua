--[[
  readAccountState(stateKey, buc, now) -> blockUntil, bucFactor, accountFactor

  Reads the feedback Meta's usage headers left in the account's state hash (written by record-usage-n.lua):
    block:<buc>, block:*          block until (ms, Redis time); '*' = the whole account
    slow:<buc>, slowUntil:<buc>   interval multiplier and until when it applies (ms)
    slow:*, slowUntil:*           the same for the whole account
  blockUntil: the later of the BUC block and the account block, 0 when neither is in the future.
  bucFactor: max(slow:<buc>, slow:*) of those still valid, at least 1; accountFactor: slow:* or 1.
]]
local function readAccountState(stateKey, buc, now)
  local v = redis.call('HMGET', stateKey, 'block:' .. buc, 'block:*', 'slow:' .. buc, 'slowUntil:' .. buc,
    'slow:*', 'slowUntil:*')
  local blockUntil = math.max(tonumber(v[1]) or 0, tonumber(v[2]) or 0)
  if blockUntil <= now then blockUntil = 0 end
  local accountFactor = 1
  if (tonumber(v[6]) or 0) > now then accountFactor = math.max(1, tonumber(v[5]) or 1) end
  local bucFactor = accountFactor
  if (tonumber(v[4]) or 0) > now then bucFactor = math.max(bucFactor, tonumber(v[3]) or 1) end
  return blockUntil, bucFactor, accountFactor
end
