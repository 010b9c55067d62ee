-- Sets or deletes one switchboard entry, renews the leases of several, or repairs a corrupt field, bumping
-- the state's version and broadcasting each change, atomically.
-- KEYS[1] the state hash, KEYS[2] the leases hash (field -> expiry, epoch millis of Redis TIME),
-- KEYS[3] the clocks hash (field -> the hybrid logical clock of its last change; a clock without a value in
-- the state hash is a release or a mode left: a tombstone, so that an older set cannot come back).
-- ARGV[1] the channel, ARGV[2] 'set', 'del', 'renew' or 'repair'.
-- 'set': ARGV[3] the field, ARGV[4] the value without its leading '<sinceMillis>|' (stamped here from Redis
-- TIME), ARGV[5] the lease in millis ('0' for entries without one: manual settings, modes), ARGV[6] the
-- change's clock.
-- 'del': ARGV[3] the field, ARGV[4] the change's clock.
-- 'renew': ARGV[3] the lease in millis, then triples of field, value tail and clock: each is a 'set' with
-- that lease, all under one TIME, so an instance renews all its fleet trigger entries in one round trip.
-- 'repair': ARGV[3] a field (or '_version') and ARGV[4] the corrupt value read there: deleted (for
-- '_version', a new epoch is started) if it is still that value.
-- Returns {version, stored value ('' if none), epoch, clock of the field in Redis after the call} per field
-- ('renew': flattened). The newest change of a field wins: a 'set' or 'del' whose clock is older than the
-- field's stored clock changes nothing (the reply says which clock stands). A 'set' of the same clock and
-- value (a lease renewal) or a 'del' of a missing field keeps the version and publishes nothing. The epoch
-- is stamped when a state is created (version 1), so an instance can tell a state that Redis lost and
-- started afresh from the one it knew, whatever the version numbers say; a corrupt version starts a new
-- epoch, so every instance reads the whole state again instead of the fleet's writes stopping.
-- Broadcast: '<epoch>|<version>|<set|del|sync>|<field>|<clock>|<value>'.
local CLOCK = '^' .. string.rep('%d', 19) .. '@.'

local function epoch()
  return redis.call('HGET', KEYS[1], '_epoch') or ''
end
local function version()
  return tonumber(redis.call('HGET', KEYS[1], '_version') or '0') or 0
end
local function bump(t)
  local raw = redis.call('HGET', KEYS[1], '_version')
  if raw and not (string.find(raw, '^%d+$') and #raw <= 15) then
    redis.call('HDEL', KEYS[1], '_version')
  end
  local v = redis.call('HINCRBY', KEYS[1], '_version', 1)
  if v == 1 then
    redis.call('HSET', KEYS[1], '_epoch', t[1] .. string.format('%06d', tonumber(t[2])))
  end
  return v
end
local function millis(t)
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- How far ahead of Redis TIME a stored clock is trusted (ms; Hlc.MAX_AHEAD_MILLIS on the client): a clock
-- from further ahead (a host whose clock ran away, an edit by hand) would win over every later change.
local MAX_AHEAD = 300000
-- The stored clock of a field; '' (older than any) when there is none, it is corrupt, or it is further
-- ahead of the time t than MAX_AHEAD.
local function clockOf(field, t)
  local c = redis.call('HGET', KEYS[3], field)
  if c and string.find(c, CLOCK) and tonumber(string.sub(c, 1, 13)) <= millis(t) + MAX_AHEAD then
    return c
  end
  return ''
end
-- Byte order (the client compares the same way), not strcoll: Redis sets the collation locale.
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end
local function publish(v, op, field, clock, stored)
  redis.call('PUBLISH', ARGV[1], epoch() .. '|' .. v .. '|' .. op .. '|' .. field .. '|' .. clock .. '|' .. stored)
end

local function set(field, tail, lease, clock, t)
  local known = clockOf(field, t)
  local current = redis.call('HGET', KEYS[1], field)
  if before(clock, known) then
    return {version(), current or '', epoch(), known}
  end
  if lease > 0 then
    redis.call('HSET', KEYS[2], field, string.format('%d', millis(t) + lease))
  end
  if current and clock == known then
    local sep = string.find(current, '|', 1, true)
    if sep and string.sub(current, sep + 1) == tail then
      return {version(), current, epoch(), known}
    end
  end
  local stored = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)) .. '|' .. tail
  local v = bump(t)
  redis.call('HSET', KEYS[1], field, stored)
  redis.call('HSET', KEYS[3], field, clock)
  publish(v, 'set', field, clock, stored)
  return {v, stored, epoch(), clock}
end

local function del(field, clock, t)
  local known = clockOf(field, t)
  local current = redis.call('HGET', KEYS[1], field)
  if before(clock, known) then
    return {version(), current or '', epoch(), known}
  end
  redis.call('HDEL', KEYS[2], field)
  -- Fleet trigger entries are written by their instance alone, in order: they need no tombstone.
  local kept = ''
  if string.sub(field, 1, 5) == 'auto:' then
    redis.call('HDEL', KEYS[3], field)
  else
    redis.call('HSET', KEYS[3], field, clock)
    kept = clock
  end
  if not current then
    return {version(), '', epoch(), kept}
  end
  local v = bump(t)
  redis.call('HDEL', KEYS[1], field)
  publish(v, 'del', field, kept, '')
  return {v, '', epoch(), kept}
end

local op = ARGV[2]
if op == 'set' then
  return set(ARGV[3], ARGV[4], tonumber(ARGV[5] or '0') or 0, ARGV[6] or '', redis.call('TIME'))
end
if op == 'del' then
  return del(ARGV[3], ARGV[4] or '', redis.call('TIME'))
end
if op == 'renew' then
  local lease = tonumber(ARGV[3]) or 0
  local t = redis.call('TIME')
  local out = {}
  for i = 4, #ARGV - 2, 3 do
    local r = set(ARGV[i], ARGV[i + 1], lease, ARGV[i + 2], t)
    for j = 1, 4 do
      out[#out + 1] = r[j]
    end
  end
  return out
end
if op == 'repair' then
  local field, corrupt = ARGV[3], ARGV[4]
  if redis.call('HGET', KEYS[1], field) ~= corrupt then
    return {version(), '', epoch(), ''}
  end
  if field == '_version' then
    local v = bump(redis.call('TIME'))
    publish(v, 'sync', '', '', '')
    return {v, '', epoch(), ''}
  end
  redis.call('HDEL', KEYS[1], field)
  redis.call('HDEL', KEYS[2], field)
  redis.call('HDEL', KEYS[3], field)
  local v = bump(redis.call('TIME'))
  publish(v, 'del', field, '', '')
  return {v, '', epoch(), ''}
end
return redis.error_reply('unknown switchboard operation ' .. tostring(op))
