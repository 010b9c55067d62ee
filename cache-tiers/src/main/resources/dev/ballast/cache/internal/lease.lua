-- Read a fresh value or take the load lease for one key, in one round trip.
-- KEYS[1] value key, KEYS[2] lease key (same hash tag)
-- ARGV[1] lease token, ARGV[2] lease ttl ms,
-- ARGV[3] '0' a miss: a fresh value is returned, unless its write ms is ARGV[4] (an entry the caller
--   cannot read, so it goes through the lease and the first fill replaces it);
--   '1' a refresh: the lease is taken over a fresh value, unless that value was written after ARGV[4]
--   (another instance refreshed it already: returned instead); ARGV[4] '' when the value refreshed was
--   past its soft expiry, so that any fresh value is a later one
-- Returns {1, now, value} | {2, now} lease taken | {3, now, lease pttl} lease held by another
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- pcall: a value key of another type (WRONGTYPE) is a bad entry of this key, read as none, so the lease
-- is taken and the fill (SET) replaces it.
local ok, v = pcall(redis.call, 'GET', KEYS[1])
if ok and v then
  local written, soft = string.match(v, '^BC1:(%d+):(%d+):')
  if soft and tonumber(soft) > now then
    if ARGV[3] == '1' then
      if ARGV[4] == '' or tonumber(written) > tonumber(ARGV[4]) then
        return {1, now, v}
      end
    elseif written ~= ARGV[4] then
      return {1, now, v}
    end
  end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, now}
end
local pttl = redis.call('PTTL', KEYS[2])
if pttl < 0 or pttl > tonumber(ARGV[2]) then
  -- No holder sets a lease without a TTL or longer than ours (a crash, a hand, another version):
  -- bound it, so that a waiter takes it over after one lease TTL at most.
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  pttl = tonumber(ARGV[2])
end
return {3, now, pttl}
