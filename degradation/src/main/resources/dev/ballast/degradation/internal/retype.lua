-- Deletes the switchboard's keys that hold another type than a hash (overwritten by hand or by another
-- program), on which every script call fails with WRONGTYPE: handled like corrupt data. A deleted state is
-- a lost one (the next write starts a new epoch), deleted clocks are older than any; every instance is asked
-- to re-read at once ('sync' from no instance) and writes back what it knows newer.
-- KEYS the state hash, the leases hash, the clocks hash; ARGV[1] the channel. Returns the keys deleted.
local deleted = {}
for _, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key)['ok']
  if t ~= 'hash' and t ~= 'none' then
    redis.call('DEL', key)
    deleted[#deleted + 1] = key
  end
end
if #deleted > 0 then
  redis.call('PUBLISH', ARGV[1], '|0|sync|||')
end
return deleted
