-- The fleet-wide token bucket: the Lua twin of dev.ballast.core.internal.Gcra / GcraBucket, in the same
-- units. Time is counted in 1/scale nanoseconds; one permit costs `cost` units, the full bucket `burst`
-- units (scale, cost and burst are computed by Gcra in Java and passed in, so the rule exists once).
-- The key holds "originMicros leadUnits": the theoretical arrival time is the reading originMicros plus
-- leadUnits, re-based at every grant so every number stays an exact integer in Lua's doubles (burst is
-- checked below 2^52 in Java). Redis TIME has microseconds: elapsed time is read in whole microseconds and
-- converted to units (x 1000 x scale), exactly as Gcra does with a ticker that reads whole microseconds.
-- KEYS[1] bucket; ARGV: permits (0: only read the permits available), scale, cost, burst,
--   clock in microseconds (empty: Redis TIME; a supplied clock may read any sign).
-- Returns, for permits >= 1: 0 when granted, else the nanoseconds until they would be (> 0), nothing taken.
-- For permits = 0: the permits available now.
local permits, scale, cost, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local suppliedClock = now ~= nil
if not suppliedClock then
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
    local refilled = elapsed * 1000 * scale
    if refilled < stored then lead = stored - refilled end
  end
end
if permits == 0 then
  if lead >= burst then return 0 end
  return math.floor((burst - lead) / cost)
end
local after = lead + permits * cost
if after > burst then
  local excess = after - burst
  return math.floor((excess - 1) / scale) + 1 -- Gcra.nanosFor: rounded up
end
-- Expires once full again (after / scale ns), so idle limiters leave nothing behind. Redis counts the TTL
-- on its own clock: with a supplied clock the key stays an hour longer, so it cannot expire before that
-- clock says the bucket is full.
local ttlMs = math.floor(after / scale / 1000000) + 1
if suppliedClock then ttlMs = ttlMs + 3600000 end
redis.call('SET', KEYS[1], string.format('%d %d', now, after), 'PX', ttlMs)
return 0
