-- Sets or deletes one switchboard entry, or renews the leases of several, bumping the state's version and
-- broadcasting each change, atomically.
-- KEYS[1] the state hash, KEYS[2] the leases hash (field -> expiry, epoch millis of Redis TIME)
-- ARGV[1] the channel, ARGV[2] 'set', 'del' or 'renew'.
-- 'set' and 'del': ARGV[3] the entry's field,
-- ARGV[4] (set only) the value without its leading '<sinceMillis>|', which is stamped here from Redis TIME,
-- ARGV[5] (set only) the lease in millis: a fleet trigger's entry lasts that long unless set again; '0' for
-- entries without a lease (manual settings, modes).
-- Returns {version, stored value ('' after a delete), epoch}. A set that changes nothing (same tail) or a
-- del of a missing field keeps the version and publishes nothing, so re-asserting an entry is cheap and
-- keeps its since: that is how a lease is renewed. The epoch is stamped when a state is created (version
-- 1), so an instance can tell a state that Redis lost and started afresh from the one it knew, whatever
-- the version numbers say.
-- 'renew': ARGV[3] the lease in millis, then ARGV[4], ARGV[5], ... pairs of field and value tail: each is
-- a 'set' with that lease, all under one TIME, so an instance renews all its fleet trigger entries in one
-- round trip. Returns {version, stored, epoch} for each pair in turn, flattened.
local function epoch()
  return redis.call('HGET', KEYS[1], '_epoch') or ''
end
local function version()
  return tonumber(redis.call('HGET', KEYS[1], '_version') or '0')
end
local function bump(t)
  local v = redis.call('HINCRBY', KEYS[1], '_version', 1)
  if v == 1 then
    redis.call('HSET', KEYS[1], '_epoch', t[1] .. string.format('%06d', tonumber(t[2])))
  end
  return v
end
local function millis(t)
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function set(field, tail, lease, t)
  local current = redis.call('HGET', KEYS[1], field)
  if lease > 0 then
    redis.call('HSET', KEYS[2], field, string.format('%d', millis(t) + lease))
  end
  if current then
    local sep = string.find(current, '|', 1, true)
    if sep and string.sub(current, sep + 1) == tail then
      return {version(), current, epoch()}
    end
  end
  local stored = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)) .. '|' .. tail
  local v = bump(t)
  redis.call('HSET', KEYS[1], field, stored)
  redis.call('PUBLISH', ARGV[1], epoch() .. '|' .. v .. '|set|' .. field .. '|' .. stored)
  return {v, stored, epoch()}
end

if ARGV[2] == 'set' then
  return set(ARGV[3], ARGV[4], tonumber(ARGV[5] or '0') or 0, redis.call('TIME'))
end
if ARGV[2] == 'renew' then
  local lease = tonumber(ARGV[3]) or 0
  local t = redis.call('TIME')
  local out = {}
  for i = 4, #ARGV - 1, 2 do
    local r = set(ARGV[i], ARGV[i + 1], lease, t)
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
    out[#out + 1] = r[3]
  end
  return out
end
local current = redis.call('HGET', KEYS[1], ARGV[3])
redis.call('HDEL', KEYS[2], ARGV[3])
if not current then
  return {version(), '', epoch()}
end
local v = bump(redis.call('TIME'))
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], epoch() .. '|' .. v .. '|del|' .. ARGV[3] .. '|')
return {v, '', epoch()}
