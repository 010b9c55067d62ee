-- Write a value with its header; a fill writes only while its lease is still the current one.
-- KEYS[1] value key, KEYS[2] lease key (same hash tag)
-- ARGV[1] lease token ('' for a put, which always writes), ARGV[2] soft ttl ms, ARGV[3] hard ttl ms,
-- ARGV[4] load duration ms (for XFetch), ARGV[5] flag ('V' value, 'N' absent), ARGV[6] payload,
-- ARGV[7] deadline in Redis ms ('' for none): a put that arrives later than its caller waited is dropped
-- Returns {1, now} written | {0, now} lease lost (invalidated or taken over): nothing written
--   | {2, now} past its deadline: nothing written (the caller already reported the put as not taken and
--     replays its delete; a late put, e.g. one Lettuce re-sent after a failover, must not overwrite newer)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[7] ~= nil and ARGV[7] ~= '' and now > tonumber(ARGV[7]) then
  return {2, now}
end
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return {0, now}
end
local header = string.format('BC1:%.0f:%.0f:%.0f:%s:%s\n', now, now + tonumber(ARGV[2]), now + tonumber(ARGV[3]),
  ARGV[4], ARGV[5])
redis.call('SET', KEYS[1], header .. ARGV[6], 'PX', ARGV[3])
-- A put also kills any lease, so a load that began before it cannot overwrite it.
redis.call('DEL', KEYS[2])
return {1, now}
