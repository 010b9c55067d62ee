-- Every state change of a Ballast job queue, one atomic call each. KEYS[1] is the queue's base key,
-- a hash tag such as {ballast:queue:mail}; every key below starts with it, so all live in one slot.
-- KEYS[2] (base:migration-guard) is never read or written: declared so that Redis Cluster refuses the
-- call (TRYAGAIN) while the slot migrates, rather than run it on a node holding half the queue.
-- ARGV[1] names the operation, ARGV[2] is a test clock in ms (-1: Redis TIME). Times are ms.
-- Layout: :job:ID (hash; 'a' attempts, 'c' claims = fencing token), :ready:TYPE:P (list), :delayed and :inflight (zsets by due time and by
-- visibility deadline), :dead (zset by time of death), :idem:KEY (string, with TTL), :swrr:TYPE (hash,
-- the weighted round robin's state), :types (set), :seq (counter).
-- A job moves between these by adding it to its new place first and removing it from the old one last:
-- Redis does not roll back a script that fails half way (a key of the wrong type, refused for memory), so
-- a move cut short leaves the job where it was, never in neither place.
local base = KEYS[1]
local op = ARGV[1]

local function now()
  local o = tonumber(ARGV[2])
  if o >= 0 then return o end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function jobKey(id) return base .. ':job:' .. id end

-- Tells idle workers of every instance (subscribed to KEYS[1]:ready) which job types became ready, once
-- per type and call. pcall: a notice is only a shortcut past the poll, so an ACL without the channel
-- must not fail the write it follows.
local function notify(types)
  for jtype in pairs(types) do redis.pcall('PUBLISH', base .. ':ready', jtype) end
end

local function toReady(id, jtype, pri, t)
  redis.call('RPUSH', base .. ':ready:' .. jtype .. ':' .. pri, id)
  redis.call('HSET', jobKey(id), 's', 'r', 'r', t)
end

local function toDead(id, t, reason)
  redis.call('ZADD', base .. ':dead', t, id)
  -- pcall: a job key that is no hash (a corrupt job) is still listed as dead, with no fields to update.
  redis.pcall('HSET', jobKey(id), 's', 'x', 'e', reason, 'da', t)
end

-- The claim (token 'c', which only grows) is current and in flight: the fencing check of ack, retry,
-- dead and extend.
local function ownsAttempt(id, token)
  if not redis.call('ZSCORE', base .. ':inflight', id) then return false end
  return tonumber(redis.call('HGET', jobKey(id), 'c')) == tonumber(token)
end

-- A job hash whose fields the scripts or the client cannot use (changed by hand, by another version, by
-- a bug) is dead-lettered alone with the reason instead of failing the whole call: a script error would
-- fail the claim of every job in the batch, and the writes done before it would stay (Redis does not
-- roll back a script), losing the job that was being moved. Checks the shape of every field the scripts
-- compute with or the client parses; the client also rejects what only it can judge (a jitter name).
-- Digits only (no sign, no "1.0", no "0x10"): what HINCRBY and the client's Long.parseLong accept.
local function isInt(v, min, max)
  if type(v) ~= 'string' or not string.match(v, '^%d+$') then return false end
  local n = tonumber(v)
  return n >= min and (max == nil or n <= max)
end

local BIG = 2 ^ 53

local function corruption(f, levels)
  if f.bad then return f.bad end
  if f.t == nil or f.t == '' then return "field 't' (job type) is missing" end
  if not isInt(f.pr, 0, levels - 1) then return "field 'pr' (priority) is not a level 0.." .. (levels - 1) .. ": " .. tostring(f.pr) end
  if not isInt(f.a, 0, BIG) then return "field 'a' (attempts) is not a whole number: " .. tostring(f.a) end
  if f.c ~= nil and not isInt(f.c, 0, BIG) then return "field 'c' (claims) is not a whole number: " .. tostring(f.c) end
  if not isInt(f.m, 1, BIG) then return "field 'm' (max attempts) is not a whole number >= 1: " .. tostring(f.m) end
  if not isInt(f.dl, 0, BIG) then return "field 'dl' (deadline) is not a whole number: " .. tostring(f.dl) end
  if not isInt(f.bi, 1, BIG) then return "field 'bi' (backoff initial) is not a whole number > 0: " .. tostring(f.bi) end
  if not isInt(f.bx, 1, BIG) then return "field 'bx' (backoff max) is not a whole number > 0: " .. tostring(f.bx) end
  if tonumber(f.bm) == nil then return "field 'bm' (backoff multiplier) is not a number: " .. tostring(f.bm) end
  if f.bj == nil or f.bj == '' then return "field 'bj' (backoff jitter) is missing" end
  return nil
end

local FIELDS = {'t', 'p', 'pr', 'a', 'c', 'm', 'bi', 'bm', 'bx', 'bj', 'i', 'dl'}

-- The job's fields by name; nil when the job hash is gone (purged meanwhile); {bad = why} when the job
-- key holds another type than a hash.
local function load(id)
  local v = redis.pcall('HMGET', jobKey(id), unpack(FIELDS))
  if v.err then return {bad = 'the job key is not a hash (' .. v.err .. ')'} end
  local f = {}
  for k, name in ipairs(FIELDS) do
    if v[k] then f[name] = v[k] end
  end
  if next(f) == nil then return nil end
  return f
end

-- Dead-letters a corrupt job and records {id, reason} in out for the client to count and log.
local function rejectCorrupt(id, t, reason, out)
  local why = 'corrupt job metadata: ' .. reason
  toDead(id, t, why)
  out[#out + 1] = {id, why}
end

local function promoteAndReclaim(t, levels, out)
  local due = redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', t, 'LIMIT', 0, 1000)
  for _, id in ipairs(due) do
    local f = load(id)
    if f then
      local bad = corruption(f, levels)
      if bad then rejectCorrupt(id, t, bad, out) else toReady(id, f.t, f.pr, t) end
    end
    redis.call('ZREM', base .. ':delayed', id)
  end
  local expired = redis.call('ZRANGEBYSCORE', base .. ':inflight', '-inf', t, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local f = load(id)
    if f then
      local bad = corruption(f, levels)
      if bad then
        rejectCorrupt(id, t, bad, out)
      elseif tonumber(f.a) >= tonumber(f.m) then
        toDead(id, t, 'visibility deadline passed on the last attempt (worker died or hung)')
      else
        redis.call('HSET', jobKey(id), 'e', 'visibility deadline passed (worker died or hung)')
        toReady(id, f.t, f.pr, t)
      end
    end
    redis.call('ZREM', base .. ':inflight', id)
  end
end

-- A count written back to a job hash: exact up to 2^53 (a Lua number given to redis.call would be written
-- with 14 significant digits).
local function int(n) return string.format('%d', n) end

-- Claims up to max ready jobs of jtype (weights from ARGV[firstWeight..]) by smooth weighted round robin
-- over the non-empty priorities. Returns one entry per job: 11 fields for a claimed job, or {id, reason}
-- for a job dead-lettered because its metadata is corrupt. Redis calls are per batch where they can be
-- (one LRANGE and one LTRIM per priority, one ZADD), since each call from a script costs more than the
-- command itself: per job there are only the HMGET that reads it and the HSET that claims it.
local function claim(t, jtype, max, visibility, firstWeight)
  local levels = #ARGV - firstWeight + 1
  local out = {}
  promoteAndReclaim(t, levels, out)
  local weights, lens, cur, taken = {}, {}, {}, {}
  local nonEmpty = 0
  for p = 0, levels - 1 do
    weights[p] = tonumber(ARGV[firstWeight + p])
    lens[p] = redis.call('LLEN', base .. ':ready:' .. jtype .. ':' .. p)
    cur[p] = 0
    taken[p] = 0
    if lens[p] > 0 then nonEmpty = nonEmpty + 1 end
  end
  if nonEmpty == 0 then return out end
  -- With one non-empty priority the round robin has no choice and its state does not change: it is read
  -- and written only when there is a choice.
  local swrr = base .. ':swrr:' .. jtype
  local choosing = nonEmpty > 1
  if choosing then
    local state = redis.pcall('HGETALL', swrr)
    if state.err then
      -- Only the round robin's memory: start it afresh rather than fail every claim of the type.
      redis.call('DEL', swrr)
      state = {}
    end
    local saved = {}
    for i = 1, #state, 2 do saved[state[i]] = tonumber(state[i + 1]) end
    for p = 0, levels - 1 do cur[p] = saved[tostring(p)] or 0 end
  end
  local deadlines = {} -- ZADD arguments: visibility deadline, id
  local claimed = 0
  while claimed < max do
    -- The priorities of the next max - claimed picks; a job dead-lettered below is not claimed, so the
    -- loop picks again for it, as a pick at a time would.
    local picks, need = {}, {}
    for _ = 1, max - claimed do
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
      lens[best] = lens[best] - 1
      picks[#picks + 1] = best
      need[best] = (need[best] or 0) + 1
    end
    if #picks == 0 then break end
    local heads, read = {}, {}
    for p, count in pairs(need) do
      heads[p] = redis.call('LRANGE', base .. ':ready:' .. jtype .. ':' .. p, taken[p], taken[p] + count - 1)
      read[p] = 0
    end
    for _, p in ipairs(picks) do
      read[p] = read[p] + 1
      taken[p] = taken[p] + 1
      local id = heads[p][read[p]]
      local f = id and load(id)
      if f then
        local bad = corruption(f, levels)
        if bad then
          rejectCorrupt(id, t, bad, out)
        elseif tonumber(f.dl) > 0 and t > tonumber(f.dl) then
          toDead(id, t, 'deadline passed before the job started')
        else
          local attempt = tonumber(f.a) + 1
          local token = (tonumber(f.c) or 0) + 1
          redis.call('HSET', jobKey(id), 'a', int(attempt), 'c', int(token), 's', 'f')
          deadlines[#deadlines + 1] = t + visibility
          deadlines[#deadlines + 1] = id
          out[#out + 1] = {id, f.p or '', f.pr, attempt, f.m, f.bi, f.bm, f.bx, f.bj, f.i or '', token}
          claimed = claimed + 1
        end
      end
    end
  end
  -- The jobs' new place first, then off the ready lists: a script cut short (a write refused for memory)
  -- leaves a job where it was, never in neither place.
  if #deadlines > 0 then redis.call('ZADD', base .. ':inflight', unpack(deadlines)) end
  for p = 0, levels - 1 do
    if taken[p] > 0 then redis.call('LTRIM', base .. ':ready:' .. jtype .. ':' .. p, taken[p], -1) end
  end
  if choosing then
    local flat = {}
    for p = 0, levels - 1 do flat[#flat + 1] = p; flat[#flat + 1] = cur[p] end
    redis.call('HSET', swrr, unpack(flat))
  end
  return out
end

-- Acknowledges the jobs ids[k] claimed under tokens[k]: each whose claim is current and in flight leaves
-- :inflight and its hash is deleted. Returns how many counted. One ZMSCORE, ZREM and DEL for the batch.
local function ackAll(ids, tokens)
  if #ids == 0 then return 0 end
  local scores = redis.call('ZMSCORE', base .. ':inflight', unpack(ids))
  local done, keys, seen = {}, {}, {}
  for k, id in ipairs(ids) do
    if scores[k] and not seen[id] and tonumber(redis.call('HGET', jobKey(id), 'c')) == tonumber(tokens[k]) then
      seen[id] = true
      done[#done + 1] = id
      keys[#keys + 1] = jobKey(id)
    end
  end
  if #done == 0 then return 0 end
  redis.call('ZREM', base .. ':inflight', unpack(done))
  redis.call('DEL', unpack(keys))
  return #done
end

if op == 'enqueue' then
  local t = now()
  local window = tonumber(ARGV[3])
  local n = tonumber(ARGV[4])
  -- First which jobs are new: an idempotency key seen in its window (in Redis, or earlier in this batch)
  -- returns the id it names instead.
  local ids, pending, fresh = {}, {}, 0
  for j = 0, n - 1 do
    local idem = ARGV[5 + j * 11 + 10]
    local existing = false
    if idem ~= '' then
      existing = pending[idem]
      if not existing then
        -- The key's value is 'id:expiry' so the window follows the queue's clock (a test clock too); the
        -- TTL only cleans up.
        local v = redis.call('GET', base .. ':idem:' .. idem)
        if v then
          local sep = string.find(v, ':', 1, true)
          if tonumber(string.sub(v, sep + 1)) > t then existing = string.sub(v, 1, sep - 1) end
        end
      end
    end
    if existing then
      ids[j + 1] = existing
    else
      fresh = fresh + 1
      ids[j + 1] = fresh -- its place among the new jobs, until the ids are drawn below
      if idem ~= '' then pending[idem] = true end
    end
  end
  if fresh == 0 then return ids end
  local first = redis.call('INCRBY', base .. ':seq', fresh) - fresh
  -- The jobs' hashes, then their places (one RPUSH per list, one ZADD), then the idempotency keys: a key
  -- must never name a job that has no place (a later enqueue would return its id).
  local known, lists, delayed, keys = {}, {}, {}, {}
  for j = 0, n - 1 do
    local a = 5 + j * 11
    local jtype, payload, pri, max = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
    local delay, deadline, idem = tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9]), ARGV[a + 10]
    local slot = ids[j + 1]
    if type(slot) == 'number' then
      local id = int(first + slot)
      ids[j + 1] = id
      if idem ~= '' then
        pending[idem] = id
        keys[#keys + 1] = idem
      end
      local dl = 0
      if deadline > 0 then dl = t + deadline end
      if not known[jtype] then
        redis.call('SADD', base .. ':types', jtype)
        known[jtype] = true
      end
      -- One HSET with the state too.
      local fields = {'t', jtype, 'p', payload, 'pr', pri, 'm', max, 'a', 0, 'bi', ARGV[a + 4], 'bm', ARGV[a + 5],
        'bx', ARGV[a + 6], 'bj', ARGV[a + 7], 'dl', dl, 'i', idem, 'e', ''}
      if delay > 0 then
        fields[#fields + 1] = 's'; fields[#fields + 1] = 'd'
        delayed[#delayed + 1] = t + delay
        delayed[#delayed + 1] = id
      else
        fields[#fields + 1] = 's'; fields[#fields + 1] = 'r'; fields[#fields + 1] = 'r'; fields[#fields + 1] = t
        local list = base .. ':ready:' .. jtype .. ':' .. pri
        if not lists[list] then lists[list] = {jtype = jtype} end
        table.insert(lists[list], id)
      end
      redis.call('HSET', jobKey(id), unpack(fields))
    elseif idem ~= '' and pending[idem] then
      ids[j + 1] = pending[idem] -- a repeat, in this batch, of a key first seen in it
    end
  end
  local ready = {}
  for list, members in pairs(lists) do
    redis.call('RPUSH', list, unpack(members))
    ready[members.jtype] = true
  end
  if #delayed > 0 then redis.call('ZADD', base .. ':delayed', unpack(delayed)) end
  for _, idem in ipairs(keys) do
    redis.call('SET', base .. ':idem:' .. idem, pending[idem] .. ':' .. (t + window), 'PX', window)
  end
  notify(ready)
  return ids

elseif op == 'claim' then
  -- ARGV: type, max, visibility, weights...
  return claim(now(), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), 6)

elseif op == 'ackclaim' then
  -- ARGV: n, then n pairs id, token, then type, max, visibility, weights...: the acks of the jobs a
  -- dispatcher's workers finished and the claim of their next jobs in one round trip. Returns the
  -- number of acks that counted, then the claim's entries (none when max is 0).
  local n = tonumber(ARGV[3])
  local ids, tokens = {}, {}
  for i = 0, n - 1 do
    ids[i + 1] = ARGV[4 + 2 * i]
    tokens[i + 1] = ARGV[5 + 2 * i]
  end
  local acked = ackAll(ids, tokens)
  local at = 4 + 2 * n
  local max = tonumber(ARGV[at + 1])
  local out = {}
  if max > 0 then out = claim(now(), ARGV[at], max, tonumber(ARGV[at + 2]), at + 3) end
  table.insert(out, 1, acked)
  return out

elseif op == 'ack' then
  return ackAll({ARGV[3]}, {ARGV[4]})

elseif op == 'retry' then
  local id, delay, err, refund = ARGV[3], tonumber(ARGV[5]), ARGV[6], ARGV[7]
  if not ownsAttempt(id, ARGV[4]) then return 0 end
  local t = now()
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
    notify({[f[1]] = true})
  end
  redis.call('ZREM', base .. ':inflight', id)
  return 1

elseif op == 'dead' then
  local id = ARGV[3]
  if not ownsAttempt(id, ARGV[4]) then return 0 end
  toDead(id, now(), ARGV[5])
  redis.call('ZREM', base .. ':inflight', id)
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
    local f = redis.pcall('HMGET', jobKey(id), 't', 'a', 'e', 'da', 'p')
    if f.err then f = {false, false, 'corrupt job metadata: the job key is not a hash (' .. f.err .. ')', false, false} end
    -- Numbers that do not parse (a corrupt hash) are listed as -1 rather than failing the whole list.
    for _, v in ipairs({id, f[1] or '', tonumber(f[2]) or -1, f[3] or '', tonumber(f[4]) or -1, f[5] or ''}) do out[#out + 1] = v end
  end
  return out

elseif op == 'requeue' then
  -- ARGV: id, priority levels. A corrupt job stays dead (with the reason): it could only fail again.
  local id = ARGV[3]
  if not redis.call('ZSCORE', base .. ':dead', id) then return 0 end
  local f = load(id)
  if not f then
    redis.call('ZREM', base .. ':dead', id)
    return 0
  end
  f.a = '0'
  local t = now()
  local bad = corruption(f, tonumber(ARGV[4]))
  if bad then
    toDead(id, t, 'corrupt job metadata: ' .. bad)
    return 0
  end
  redis.call('HSET', jobKey(id), 'a', 0)
  toReady(id, f.t, f.pr, t)
  redis.call('ZREM', base .. ':dead', id)
  notify({[f.t] = true})
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
        local r = tonumber(redis.pcall('HGET', jobKey(redis.call('LINDEX', list, 0)), 'r')) -- nil if corrupt
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
