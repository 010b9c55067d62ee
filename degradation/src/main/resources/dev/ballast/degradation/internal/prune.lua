-- Ends the fleet trigger entries whose lease lapsed (their instance stopped renewing them: killed,
-- partitioned away, frozen), each as a delete would: bump the version and broadcast, so every instance
-- drops it. Time is Redis TIME; no client clock is involved.
-- KEYS[1] the state hash, KEYS[2] the leases hash (field -> expiry, epoch millis), KEYS[3] the clocks hash
-- ARGV[1] the channel, ARGV[2] the lease in millis, given to any 'auto:' entry found without one (written
-- before leases existed, or by hand), so that it too ends unless an instance renews it; ARGV[3] '1' to
-- delete lapsed entries, '0' to only hand out leases (the caller has not heard from Redis for long enough
-- to tell a dead instance from one that could not renew during an outage).
-- Returns the fields removed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local removed = {}
if ARGV[3] == '1' then
  local leases = redis.call('HGETALL', KEYS[2])
  for i = 1, #leases, 2 do
    local field = leases[i]
    local expiry = tonumber(leases[i + 1])
    -- A corrupt expiry counts as lapsed: a live owner writes its entry afresh at its next renewal.
    if not expiry or expiry <= now then
      redis.call('HDEL', KEYS[2], field)
      redis.call('HDEL', KEYS[3], field)
      if redis.call('HDEL', KEYS[1], field) == 1 then
        -- A corrupt version fails this call (a data error, not an outage); the switchboard repairs it
        -- (apply.lua's 'repair' starts a new epoch) when it reads it, and pruning resumes.
        local v = redis.call('HINCRBY', KEYS[1], '_version', 1)
        local epoch = redis.call('HGET', KEYS[1], '_epoch') or ''
        redis.call('PUBLISH', ARGV[1], epoch .. '|' .. v .. '|del|' .. field .. '||')
        removed[#removed + 1] = field
      end
    end
  end
end
local adopted = string.format('%d', now + tonumber(ARGV[2]))
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, 5) == 'auto:' then
    redis.call('HSETNX', KEYS[2], field, adopted)
  end
end
return removed
