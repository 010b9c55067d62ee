-- Every state change of a Ballast job queue, one atomic call each. KEYS[1] is the queue's base key,
-- a hash tag such as {ballast:queue:mail}; every key below starts with it, so all live in one slot.
-- ARGV[1] names the operation, ARGV[2] is a test clock in ms (-1: Redis TIME). Times are ms.
-- Layout: :job:ID (hash; 'a' attempts, 'c' claims = fencing token), :ready:TYPE:P (list), :delayed and :inflight (zsets by due time and by
-- visibility deadline), :dead (zset by time of death), :idem:KEY (string, with TTL), :swrr:TYPE (hash,
-- the weighted round robin's state), :types (set), :seq (counter).
local base = KEYS[1]
local op = ARGV[1]

local function now()
  local o = tonumber(ARGV[2])
  if o >= 0 then return o end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function jobKey(id) return base .. ':job:' .. id end

local function toReady(id, jtype, pri, t)
  redis.call('RPUSH', base .. ':ready:' .. jtype .. ':' .. pri, id)
  redis.call('HSET', jobKey(id), 's', 'r', 'r', t)
end

local function toDead(id, t, reason)
  redis.call('HSET', jobKey(id), 's', 'x', 'e', reason, 'da', t)
  redis.call('ZADD', base .. ':dead', t, id)
end

-- The claim (token 'c', which only grows) is current and in flight: the fencing check of ack, retry,
-- dead and extend.
local function ownsAttempt(id, token)
  if not redis.call('ZSCORE', base .. ':inflight', id) then return false end
  return tonumber(redis.call('HGET', jobKey(id), 'c')) == tonumber(token)
end

local function promoteAndReclaim(t)
  local due = redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', t, 'LIMIT', 0, 1000)
  for _, id in ipairs(due) do
    redis.call('ZREM', base .. ':delayed', id)
    local f = redis.call('HMGET', jobKey(id), 't', 'pr')
    if f[1] then toReady(id, f[1], f[2], t) end
  end
  local expired = redis.call('ZRANGEBYSCORE', base .. ':inflight', '-inf', t, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    redis.call('ZREM', base .. ':inflight', id)
    local f = redis.call('HMGET', jobKey(id), 't', 'pr', 'a', 'm')
    if f[1] then
      if tonumber(f[3]) >= tonumber(f[4]) then
        toDead(id, t, 'visibility deadline passed on the last attempt (worker died or hung)')
      else
        redis.call('HSET', jobKey(id), 'e', 'visibility deadline passed (worker died or hung)')
        toReady(id, f[1], f[2], t)
      end
    end
  end
end

-- Claims up to max ready jobs of jtype (weights from ARGV[firstWeight..]) by smooth weighted round robin
-- over the non-empty priorities; returns 11 fields per job.
local function claim(t, jtype, max, visibility, firstWeight)
  promoteAndReclaim(t)
  local levels = #ARGV - firstWeight + 1
  local weights, lens, cur = {}, {}, {}
  local swrr = base .. ':swrr:' .. jtype
  local state = redis.call('HGETALL', swrr)
  local saved = {}
  for i = 1, #state, 2 do saved[state[i]] = tonumber(state[i + 1]) end
  local any = false
  for p = 0, levels - 1 do
    weights[p] = tonumber(ARGV[firstWeight + p])
    lens[p] = redis.call('LLEN', base .. ':ready:' .. jtype .. ':' .. p)
    cur[p] = saved[tostring(p)] or 0
    if lens[p] > 0 then any = true end
  end
  local out = {}
  if not any then return out end
  local claimed = 0
  while claimed < max do
    local best, total = -1, 0
    for p = levels - 1, 0, -1 do
      if lens[p] > 0 then
        cur[p] = cur[p] + weights[p]
        total = total + weights[p]
        if best < 0 or cur[p] > cur[best] then best = p end
      end
    end
    if best < 0 then break end
    cur[best] = cur[best] - total
    local id = redis.call('LPOP', base .. ':ready:' .. jtype .. ':' .. best)
    lens[best] = lens[best] - 1
    local f = redis.call('HMGET', jobKey(id), 'p', 'pr', 'm', 'bi', 'bm', 'bx', 'bj', 'i', 'dl')
    if f[2] then
      local dl = tonumber(f[9])
      if dl > 0 and t > dl then
        toDead(id, t, 'deadline passed before the job started')
      else
        local attempt = redis.call('HINCRBY', jobKey(id), 'a', 1)
        local token = redis.call('HINCRBY', jobKey(id), 'c', 1)
        redis.call('HSET', jobKey(id), 's', 'f')
        redis.call('ZADD', base .. ':inflight', t + visibility, id)
        for _, v in ipairs({id, f[1], f[2], attempt, f[3], f[4], f[5], f[6], f[7], f[8], token}) do out[#out + 1] = v end
        claimed = claimed + 1
      end
    end
  end
  local flat = {}
  for p = 0, levels - 1 do flat[#flat + 1] = p; flat[#flat + 1] = cur[p] end
  redis.call('HSET', swrr, unpack(flat))
  return out
end

local function ack(id, token)
  if not ownsAttempt(id, token) then return 0 end
  redis.call('ZREM', base .. ':inflight', id)
  redis.call('DEL', jobKey(id))
  return 1
end

if op == 'enqueue' then
  local t = now()
  local window = tonumber(ARGV[3])
  local n = tonumber(ARGV[4])
  local ids = {}
  for j = 0, n - 1 do
    local a = 5 + j * 11
    local jtype, payload, pri, max = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
    local delay, deadline, idem = tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9]), ARGV[a + 10]
    -- The key's value is 'id:expiry' so the window follows the queue's clock (a test clock too); the
    -- TTL only cleans up.
    local existing = false
    if idem ~= '' then
      local v = redis.call('GET', base .. ':idem:' .. idem)
      if v then
        local sep = string.find(v, ':', 1, true)
        if tonumber(string.sub(v, sep + 1)) > t then existing = string.sub(v, 1, sep - 1) end
      end
    end
    if existing then
      ids[#ids + 1] = existing
    else
      local id = tostring(redis.call('INCR', base .. ':seq'))
      local dl = 0
      if deadline > 0 then dl = t + deadline end
      redis.call('HSET', jobKey(id), 't', jtype, 'p', payload, 'pr', pri, 'm', max, 'a', 0,
        'bi', ARGV[a + 4], 'bm', ARGV[a + 5], 'bx', ARGV[a + 6], 'bj', ARGV[a + 7], 'dl', dl, 'i', idem, 'e', '')
      if idem ~= '' then redis.call('SET', base .. ':idem:' .. idem, id .. ':' .. (t + window), 'PX', window) end
      redis.call('SADD', base .. ':types', jtype)
      if delay > 0 then
        redis.call('HSET', jobKey(id), 's', 'd')
        redis.call('ZADD', base .. ':delayed', t + delay, id)
      else
        toReady(id, jtype, pri, t)
      end
      ids[#ids + 1] = id
    end
  end
  return ids

elseif op == 'claim' then
  -- ARGV: type, max, visibility, weights...
  return claim(now(), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), 6)

elseif op == 'ackclaim' then
  -- ARGV: id, token, type, visibility, weights...: a worker's ack and its next job in one round trip.
  local acked = ack(ARGV[3], ARGV[4])
  local out = claim(now(), ARGV[5], 1, tonumber(ARGV[6]), 7)
  table.insert(out, 1, acked)
  return out

elseif op == 'ack' then
  return ack(ARGV[3], ARGV[4])

elseif op == 'retry' then
  local id, delay, err, refund = ARGV[3], tonumber(ARGV[5]), ARGV[6], ARGV[7]
  if not ownsAttempt(id, ARGV[4]) then return 0 end
  local t = now()
  redis.call('ZREM', base .. ':inflight', id)
  if refund == '1' then
    redis.call('HINCRBY', jobKey(id), 'a', -1)
  else
    redis.call('HSET', jobKey(id), 'e', err)
  end
  if delay > 0 then
    redis.call('HSET', jobKey(id), 's', 'd')
    redis.call('ZADD', base .. ':delayed', t + delay, id)
  else
    local f = redis.call('HMGET', jobKey(id), 't', 'pr')
    toReady(id, f[1], f[2], t)
  end
  return 1

elseif op == 'dead' then
  local id = ARGV[3]
  if not ownsAttempt(id, ARGV[4]) then return 0 end
  redis.call('ZREM', base .. ':inflight', id)
  toDead(id, now(), ARGV[5])
  return 1

elseif op == 'extend' then
  local id = ARGV[3]
  if not ownsAttempt(id, ARGV[4]) then return 0 end
  redis.call('ZADD', base .. ':inflight', now() + tonumber(ARGV[5]), id)
  return 1

elseif op == 'listdead' then
  local ids = redis.call('ZRANGE', base .. ':dead', 0, tonumber(ARGV[3]) - 1)
  local out = {}
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', jobKey(id), 't', 'a', 'e', 'da', 'p')
    for _, v in ipairs({id, f[1] or '', f[2] or 0, f[3] or '', f[4] or 0, f[5] or ''}) do out[#out + 1] = v end
  end
  return out

elseif op == 'requeue' then
  local id = ARGV[3]
  if redis.call('ZREM', base .. ':dead', id) == 0 then return 0 end
  local f = redis.call('HMGET', jobKey(id), 't', 'pr')
  if not f[1] then return 0 end
  redis.call('HSET', jobKey(id), 'a', 0)
  toReady(id, f[1], f[2], now())
  return 1

elseif op == 'purge' then
  local ids = redis.call('ZRANGE', base .. ':dead', 0, 999)
  for _, id in ipairs(ids) do
    redis.call('DEL', jobKey(id))
    redis.call('ZREM', base .. ':dead', id)
  end
  return #ids

elseif op == 'stats' then
  local t = now()
  local levels = tonumber(ARGV[3])
  local counts, oldest = {}, -1
  for p = 0, levels - 1 do counts[p + 1] = 0 end
  for _, jtype in ipairs(redis.call('SMEMBERS', base .. ':types')) do
    for p = 0, levels - 1 do
      local list = base .. ':ready:' .. jtype .. ':' .. p
      local len = redis.call('LLEN', list)
      if len > 0 then
        counts[p + 1] = counts[p + 1] + len
        local r = tonumber(redis.call('HGET', jobKey(redis.call('LINDEX', list, 0)), 'r'))
        if r and (oldest < 0 or r < oldest) then oldest = r end
      end
    end
  end
  local age = 0
  if oldest >= 0 then age = math.max(0, t - oldest) end
  counts[#counts + 1] = redis.call('ZCARD', base .. ':delayed')
  counts[#counts + 1] = redis.call('ZCARD', base .. ':inflight')
  counts[#counts + 1] = redis.call('ZCARD', base .. ':dead')
  counts[#counts + 1] = age
  return counts
end
return redis.error_reply('unknown queue operation ' .. tostring(op))
