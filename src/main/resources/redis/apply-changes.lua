-- Applies a batch of engagement changes atomically and replay-safely.
-- ARGV: prefix, bucket_seconds, window_seconds, state_ttl_seconds, stream_maxlen, then 8 per change:
--   event_id, lsn, op, bucket (-1: no leaderboard contribution), content_id, score (hundredths), stream, data
-- Per event the key <prefix>:ev:<id> remembers "lsn|bucket|content_id|score" of what was last applied:
-- a change whose lsn is not newer is a replay and changes nothing; a newer one first retracts the old score.
local prefix = ARGV[1]
local bucket_seconds = tonumber(ARGV[2])
local window_seconds = tonumber(ARGV[3])
local state_ttl = tonumber(ARGV[4])
local maxlen = ARGV[5]
local applied = 0
local expiring = {}
for i = 6, #ARGV, 8 do
  local id, lsn, op = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local bucket, content, score = ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5])
  local stream, data = ARGV[i + 6], ARGV[i + 7]
  local state_key = prefix .. ':ev:' .. id
  local state = redis.call('GET', state_key)
  local fresh = true
  if state then
    local old_lsn, old_bucket, old_content, old_score = string.match(state, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
    if tonumber(old_lsn) >= tonumber(lsn) then
      fresh = false
    elseif old_bucket ~= '' then
      local old_key = prefix .. ':lb:' .. old_bucket
      local left = tonumber(redis.call('ZINCRBY', old_key, -tonumber(old_score), old_content))
      if math.abs(left) < 0.5 then
        redis.call('ZREM', old_key, old_content)
      end
    end
  end
  if fresh then
    local kept_bucket = ''
    if bucket ~= '-1' and content ~= '' and score ~= 0 then
      local key = prefix .. ':lb:' .. bucket
      redis.call('ZINCRBY', key, score, content)
      expiring[bucket] = key
      kept_bucket = bucket
    end
    redis.call('SET', state_key, lsn .. '|' .. kept_bucket .. '|' .. content .. '|' .. score, 'EX', state_ttl)
    redis.call('XADD', prefix .. ':stream:' .. stream, 'MAXLEN', '~', maxlen, '*',
      'event_id', id, 'op', op, 'lsn', lsn, 'data', data)
    applied = applied + 1
  end
end
-- Each bucket leaves the window (plus a minute) at a fixed time: set once per bucket and batch.
for bucket, key in pairs(expiring) do
  redis.call('EXPIREAT', key, (tonumber(bucket) + 1) * bucket_seconds + window_seconds + 60)
end
return applied
