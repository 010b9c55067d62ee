-- Read a fresh value or take the load lease for one key, in one round trip.
-- KEYS[1] value key, KEYS[2] lease key (same hash tag)
-- ARGV[1] lease token, ARGV[2] lease ttl ms, ARGV[3] '1' to take the lease even over a fresh value (refresh)
-- Returns {1, now, value} | {2, now} lease taken | {3, now, lease pttl} lease held by another
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] ~= '1' then
  -- A key of another type holds no entry of ours (GET would fail with WRONGTYPE): a miss, so the lease
  -- is taken and the fill's SET replaces it.
  local v = redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1])
  if v then
    local soft = tonumber(string.match(v, '^BC1:%d+:(%d+):'))
    if soft and soft > now then
      return {1, now, v}
    end
  end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, now}
end
return {3, now, redis.call('PTTL', KEYS[2])}
