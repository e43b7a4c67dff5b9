-- Applies a batch of engagement changes atomically and replay-safely.
-- KEYS: every key the call touches, so it runs on Redis Cluster (they share the hash tag {<key-prefix>}, so one slot):
--   KEYS[1 .. buckets]: the leaderboard buckets that count as of the caller's now, oldest first (KEYS[1] is bucket
--   `oldest`), then each state hash and stream of the call once, in any order.
-- ARGV: bucket_seconds, window_seconds, state_ttl_seconds, stream_maxlen, oldest, buckets, then 9 per change:
--   state (index into KEYS), event_id, lsn, op, bucket (-1: older than the window), content_id, score (hundredths),
--   stream (index into KEYS), data   -- keys are built by the caller: no string work here
-- A counted change's bucket key is KEYS[bucket - oldest + 1].
-- Each event's state is a field (its id) of a hash that holds a range of event ids (state_key): "lsn|leaderboard_key|
-- content_id|score" of what was last applied. A change whose lsn is not newer is a replay and changes nothing; a newer
-- one first retracts the old score. The states are read with one HMGET and written with one HSET per hash and batch,
-- not one GET and SET per event: the calls from Lua into Redis were most of the script's time.
-- A state names its bucket key, and the script touches only declared keys: the old score is retracted from the key
-- of the same bucket number among KEYS. A bucket outside KEYS has left the window (no read sees it again, and it
-- expires within about a minute) or, only with clocks apart, is more than 5 minutes ahead: its retraction is
-- skipped. Matching by number also retracts from the right key for states written under an earlier key name (the
-- prefix without its hash tag) once those keys are renamed.
-- A read (op 'r': a backfill's or snapshot's row) that finds what it would apply already applied only moves the
-- position; a read older than the leaderboard window adds no stream entry (streams show recent activity), and
-- changes nothing at all when nothing is remembered of it. So re-reading history neither counts twice nor floods
-- the streams.
local bucket_seconds = tonumber(ARGV[1])
local window_seconds = tonumber(ARGV[2])
local state_ttl = ARGV[3]
local maxlen = ARGV[4]
local oldest = tonumber(ARGV[5])
local buckets = tonumber(ARGV[6])
local call = redis.call
local unpack = unpack
-- Arguments per call from Lua: Lua's stack holds a few thousand values at most.
local CHUNK = 500

-- The declared key of a bucket number (a string or a number), nil when it is not among KEYS.
local function bucket_key(bucket)
  local index = tonumber(bucket)
  if not index then
    return nil
  end
  index = index - oldest + 1
  if index >= 1 and index <= buckets then
    return KEYS[index]
  end
  return nil
end

-- The batch's event states, by state hash and event id.
local states = {}
local wanted = {}
for i = 7, #ARGV, 9 do
  local key = KEYS[tonumber(ARGV[i])]
  local fields = wanted[key]
  if not fields then
    fields = {}
    wanted[key] = fields
    states[key] = {}
  end
  fields[#fields + 1] = ARGV[i + 1]
end
for key, fields in pairs(wanted) do
  local known = states[key]
  for from = 1, #fields, CHUNK do
    local to = math.min(from + CHUNK - 1, #fields)
    local values = call('HMGET', key, unpack(fields, from, to))
    for j = from, to do
      local value = values[j - from + 1]
      if value then
        known[fields[j]] = value
      end
    end
  end
end

local applied = 0
local trimmed = {}
local expiring = {}
local written = {}
-- Leaderboard increments (and retractions) summed per bucket key and content, then sent once each: a batch
-- touches each (bucket, content) pair once however many of its events fall there.
local deltas = {}
local function add(key, member, amount)
  local members = deltas[key]
  if not members then
    members = {}
    deltas[key] = members
  end
  members[member] = (members[member] or 0) + amount
end
local function remember(key, id, state)
  states[key][id] = state
  local fields = written[key]
  if not fields then
    fields = {}
    written[key] = fields
  end
  fields[id] = state
end
for i = 7, #ARGV, 9 do
  local state_key, id, lsn, op, bucket = KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local content, score = ARGV[i + 5], ARGV[i + 6]
  local stream_key, data = KEYS[tonumber(ARGV[i + 7])], ARGV[i + 8]
  -- Where this change counts: its bucket (number and key), or '' for nowhere.
  local kept_bucket, kept_key = '', ''
  if bucket ~= '-1' and content ~= '' and score ~= '0' then
    kept_bucket, kept_key = bucket, bucket_key(bucket)
  end
  local state = states[state_key][id]
  local fresh = true
  if state then
    local old_lsn, old_key, old_content, old_score = string.match(state, '^(%d+)|([^|]*)|([^|]*)|(-?%d+)$')
    if tonumber(old_lsn) >= tonumber(lsn) then
      fresh = false
    else
      -- The bucket number the old contribution went to ('' for none).
      local old_bucket = ''
      if old_key ~= '' then
        old_bucket = string.match(old_key, ':(%d+)$') or old_key
      end
      if op == 'r' and old_bucket == kept_bucket and old_content == content and old_score == score then
        fresh = false
        remember(state_key, id, lsn .. '|' .. kept_key .. '|' .. content .. '|' .. score)
      elseif old_bucket ~= '' then
        local retracted = bucket_key(old_bucket)
        if retracted then
          add(retracted, old_content, -tonumber(old_score))
          -- The old bucket may have expired already: a retraction must not leave it behind without a TTL.
          expiring[retracted] = old_bucket
        end
      end
    end
  elseif op == 'r' and bucket == '-1' then
    fresh = false
  end
  if fresh then
    if kept_key ~= '' then
      add(kept_key, content, tonumber(score))
      expiring[kept_key] = bucket
    end
    remember(state_key, id, lsn .. '|' .. kept_key .. '|' .. content .. '|' .. score)
    if op ~= 'r' or bucket ~= '-1' then
      call('XADD', stream_key, '*', 'op', op, 'data', data)
      trimmed[stream_key] = true
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
-- Streams are trimmed once per call, not per entry (fewer arguments per XADD).
for key in pairs(trimmed) do
  call('XTRIM', key, 'MAXLEN', '~', maxlen)
end
-- Each bucket leaves the window (plus a minute) at a fixed time: set once per bucket and batch.
for key, bucket in pairs(expiring) do
  call('EXPIREAT', key, (tonumber(bucket) + 1) * bucket_seconds + window_seconds + 60)
end
-- The states, one HSET per hash (in chunks); a hash lives state_ttl after the last write to any of its events.
for key, fields in pairs(written) do
  local args = {}
  for id, state in pairs(fields) do
    args[#args + 1] = id
    args[#args + 1] = state
    if #args >= 2 * CHUNK then
      call('HSET', key, unpack(args))
      args = {}
    end
  end
  if #args > 0 then
    call('HSET', key, unpack(args))
  end
  call('EXPIRE', key, state_ttl)
end
return applied
