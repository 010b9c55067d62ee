-- A token bucket run as GCRA in one key, exactly as dev.ballast.core.internal.Gcra does it locally.
-- Time is counted in 1/scale microseconds; one permit costs `cost` units, the full bucket `burst` units.
-- The key holds "originMicros leadUnits": the theoretical arrival time is origin * scale + lead, re-based
-- at every grant so every number stays an exact integer in Lua's doubles (below 2^53).
-- KEYS[1] bucket; ARGV: permits, scale, cost, burst, test clock in us (-1: Redis TIME).
-- Returns permits left (>= 0) when granted, or minus the microseconds to wait (< 0).
local permits, scale, cost, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local lead = 0
-- State that cannot be read (the key holds another type, or text that is not "origin lead") counts as a
-- full bucket and is overwritten by the next grant: one bad key must not fail every acquire of the fleet.
local state = redis.pcall('GET', KEYS[1])
if type(state) == 'string' then
  local sep = string.find(state, ' ', 1, true)
  local origin, stored
  if sep then origin, stored = tonumber(string.sub(state, 1, sep - 1)), tonumber(string.sub(state, sep + 1)) end
  if origin and stored then
    local elapsed = now - origin
    if elapsed < 0 then elapsed = 0 end -- another clock reading behind: count no refill
    if elapsed * scale < stored then lead = stored - elapsed * scale end
  end
end
local after = lead + permits * cost
if after > burst then
  local excess = after - burst
  return -(math.floor((excess - 1) / scale) + 1)
end
local ttlMs = math.floor(after / scale / 1000) + 1
redis.call('SET', KEYS[1], string.format('%d %d', now, after), 'PX', ttlMs)
return math.floor((burst - after) / cost)
