--[[
  Quota learning for one (account, BUC). Meta never says a quota; every answer says how much of the rolling
  window is used (call_count, total_time, total_cputime: percent). After n of our calls in the window the
  answer p says Q = 100·n/p. Percentages may be whole numbers (rounded or truncated: the true value lies in
  [p - 0.5, p + 1)) or fractional (two decimals), so each answer gives an interval of Q, not a number.

  Fields of the account's state hash (<buc> = the BUC type):
    qlo:<buc>, qhi:<buc>          the accepted interval (calls per window); qhi 0 = no upper bound yet
    qplo:<buc>, qphi:<buc>        a higher interval seen since, and qpn:<buc> how many answers agree with it
    qobs:<buc>                    answers used so far
    qconv:<buc>                   the answer count at which the interval first narrowed to within 20 %

  Intervals that overlap are intersected. A lower one (the quota shrank, or someone else uses it) is adopted
  at once; a higher one (the quota grew, or others stopped) only after three answers agree with it.

  estimateQuota(stateKey, buc, hint) -> qhat, lo, hi, obs
    hint: the quota assumed before anything is known (the tier's documented base). No answer yet: the hint.
    No upper bound: max(hint, lo). The hint inside the interval: the hint (Meta's formula agrees). One whole
    number inside the interval: that number (quotas count calls). A narrow interval (hi <= 1.3·lo): its
    middle. A wide one: its lower end (the safe side while learning).
  observeQuota(stateKey, buc, nLo, nHi, pct)
    nLo..nHi: our calls Meta had counted when it answered (calls in flight make it a range).
]]
local function quotaFields(stateKey, buc)
  local v = redis.call('HMGET', stateKey, 'qlo:' .. buc, 'qhi:' .. buc, 'qobs:' .. buc)
  return tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
end

local function quotaFromInterval(lo, hi, hint)
  if hi <= 0 then return math.max(hint, lo) end
  if hint >= lo and hint <= hi then return hint end
  local whole = math.floor(hi)
  if whole >= lo and whole - 1 < lo then return whole end
  if hi <= lo * 1.3 then return (lo + hi) / 2 end
  return lo
end

local function estimateQuota(stateKey, buc, hint)
  local lo, hi, obs = quotaFields(stateKey, buc)
  if obs == 0 then return hint, lo, hi, obs end
  return quotaFromInterval(lo, hi, hint), lo, hi, obs
end

local function observeQuota(stateKey, buc, nLo, nHi, pct)
  local tLo, tHi
  if pct == math.floor(pct) then
    tLo = pct - 0.5
    tHi = pct + 1
  else
    tLo = pct - 0.01
    tHi = pct + 0.01
  end
  local a = 100 * nLo / tHi
  if pct < 100 and nLo > a then a = nLo end
  local b = 0
  if tLo > 0 then b = 100 * nHi / tLo end

  local v = redis.call('HMGET', stateKey, 'qlo:' .. buc, 'qhi:' .. buc, 'qobs:' .. buc, 'qplo:' .. buc,
    'qphi:' .. buc, 'qpn:' .. buc, 'qconv:' .. buc)
  local lo, hi, obs = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
  local plo, phi, pn = tonumber(v[4]) or 0, tonumber(v[5]) or 0, tonumber(v[6]) or 0
  obs = obs + 1
  if obs == 1 then
    lo, hi, pn = a, b, 0
  else
    local newLo = math.max(lo, a)
    local newHi = hi
    if b > 0 and (hi <= 0 or b < hi) then newHi = b end
    if newHi <= 0 or newLo <= newHi then
      lo, hi, pn = newLo, newHi, 0
    elseif b > 0 and b < lo then
      lo, hi, pn = a, b, 0
    else
      local agrees = pn > 0 and (phi <= 0 or a <= phi) and (b <= 0 or b >= plo)
      if agrees then
        plo = math.max(plo, a)
        if b > 0 and (phi <= 0 or b < phi) then phi = b end
        pn = pn + 1
      else
        plo, phi, pn = a, b, 1
      end
      if pn >= 3 then lo, hi, pn = plo, phi, 0 end
    end
  end
  redis.call('HSET', stateKey, 'qlo:' .. buc, lo, 'qhi:' .. buc, hi, 'qobs:' .. buc, obs, 'qplo:' .. buc, plo,
    'qphi:' .. buc, phi, 'qpn:' .. buc, pn)
  if v[7] == false and hi > 0 and hi <= lo * 1.2 then redis.call('HSET', stateKey, 'qconv:' .. buc, obs) end
  return lo, hi
end
