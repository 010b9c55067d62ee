-- Reads the whole switchboard state and the clocks of its fields in one consistent view.
-- KEYS[1] the state hash, KEYS[2] the clocks hash. Returns {HGETALL state, HGETALL clocks}.
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
