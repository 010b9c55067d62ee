-- Sets or deletes one switchboard entry, bumps the state's version and broadcasts the change, atomically.
-- KEYS[1] the state hash, KEYS[2] the leases hash (field -> expiry, epoch millis of Redis TIME)
-- ARGV[1] the channel, ARGV[2] 'set' or 'del', ARGV[3] the entry's field,
-- ARGV[4] (set only) the value without its leading '<sinceMillis>|', which is stamped here from Redis TIME,
-- ARGV[5] (set only) the lease in millis: a fleet trigger's entry lasts that long unless set again; '0' for
-- entries without a lease (manual settings, modes).
-- Returns {version, stored value ('' after a delete), epoch}. A set that changes nothing (same tail) or a
-- del of a missing field keeps the version and publishes nothing, so re-asserting an entry is cheap and
-- keeps its since: that is how a lease is renewed. The epoch is stamped when a state is created (version
-- 1), so an instance can tell a state that Redis lost and started afresh from the one it knew, whatever
-- the version numbers say.
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

local current = redis.call('HGET', KEYS[1], ARGV[3])
if ARGV[2] == 'set' then
  local lease = tonumber(ARGV[5] or '0') or 0
  local t = redis.call('TIME')
  if lease > 0 then
    redis.call('HSET', KEYS[2], ARGV[3], string.format('%d', millis(t) + lease))
  end
  if current then
    local sep = string.find(current, '|', 1, true)
    if sep and string.sub(current, sep + 1) == ARGV[4] then
      return {version(), current, epoch()}
    end
  end
  local stored = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)) .. '|' .. ARGV[4]
  local v = bump(t)
  redis.call('HSET', KEYS[1], ARGV[3], stored)
  redis.call('PUBLISH', ARGV[1], epoch() .. '|' .. v .. '|set|' .. ARGV[3] .. '|' .. stored)
  return {v, stored, epoch()}
end
redis.call('HDEL', KEYS[2], ARGV[3])
if not current then
  return {version(), '', epoch()}
end
local v = bump(redis.call('TIME'))
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], epoch() .. '|' .. v .. '|del|' .. ARGV[3] .. '|')
return {v, '', epoch()}
