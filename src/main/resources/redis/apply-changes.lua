-- Applies a batch of engagement changes atomically and replay-safely.
-- ARGV: bucket_seconds, window_seconds, state_ttl_seconds, stream_maxlen, then 8 per change:
--   state_key, lsn, op, bucket (-1: older than the window), leaderboard_key, content_id,
--   score (hundredths), stream_key, data   -- keys are built by the caller: no string work here
-- state_key remembers "lsn|leaderboard_key|content_id|score" of what was last applied: a change whose
-- lsn is not newer is a replay and changes nothing; a newer one first retracts the old score.
-- A read (op 'r': a backfill's or snapshot's row) that finds what it would apply already applied only moves the
-- position; a read older than the leaderboard window adds no stream entry (streams show recent activity), and
-- changes nothing at all when nothing is remembered of it. So re-reading history neither counts twice nor floods
-- the streams.
local bucket_seconds = tonumber(ARGV[1])
local window_seconds = tonumber(ARGV[2])
local state_ttl = ARGV[3]
local maxlen = ARGV[4]
local applied = 0
local expiring = {}
-- Leaderboard increments (and retractions) summed per bucket key and content, then sent once each: a batch
-- touches each (bucket, content) pair once however many of its events fall there.
local deltas = {}
local call = redis.call
local function add(key, member, amount)
  local members = deltas[key]
  if not members then
    members = {}
    deltas[key] = members
  end
  members[member] = (members[member] or 0) + amount
end
for i = 5, #ARGV, 9 do
  local state_key, lsn, op, bucket = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local lb_key, content, score = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local stream_key, data = ARGV[i + 7], ARGV[i + 8]
  local kept_key = ''
  if bucket ~= '-1' and content ~= '' and score ~= '0' then
    kept_key = lb_key
  end
  local state = call('GET', state_key)
  local fresh = true
  if state then
    local old_lsn, old_key, old_content, old_score = string.match(state, '^(%d+)|([^|]*)|([^|]*)|(-?%d+)$')
    if tonumber(old_lsn) >= tonumber(lsn) then
      fresh = false
    elseif op == 'r' and old_key == kept_key and old_content == content and old_score == score then
      fresh = false
      call('SET', state_key, lsn .. '|' .. kept_key .. '|' .. content .. '|' .. score, 'EX', state_ttl)
    elseif old_key ~= '' then
      add(old_key, old_content, -tonumber(old_score))
      -- The old bucket may have expired already: a retraction must not leave it behind without a TTL.
      expiring[old_key] = string.match(old_key, ':(%d+)$')
    end
  elseif op == 'r' and bucket == '-1' then
    fresh = false
  end
  if fresh then
    if kept_key ~= '' then
      add(lb_key, content, tonumber(score))
      expiring[lb_key] = bucket
    end
    call('SET', state_key, lsn .. '|' .. kept_key .. '|' .. content .. '|' .. score, 'EX', state_ttl)
    if op ~= 'r' or bucket ~= '-1' then
      call('XADD', stream_key, 'MAXLEN', '~', maxlen, '*', 'op', op, 'data', data)
    end
    applied = applied + 1
  end
end
for key, members in pairs(deltas) do
  for member, amount in pairs(members) do
    if amount ~= 0 then
      local left = tonumber(call('ZINCRBY', key, amount, member))
      if math.abs(left) < 0.5 then
        call('ZREM', key, member)
      end
    end
  end
end
-- Each bucket leaves the window (plus a minute) at a fixed time: set once per bucket and batch.
for key, bucket in pairs(expiring) do
  call('EXPIREAT', key, (tonumber(bucket) + 1) * bucket_seconds + window_seconds + 60)
end
return applied
