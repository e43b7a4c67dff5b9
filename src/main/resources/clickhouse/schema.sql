-- Applied by the service at start; every statement is idempotent. Statements are separated by ';' lines.
-- ${database} is pipeline.clickhouse.database (CLICKHOUSE_DATABASE), the database of the service's JDBC URL.
CREATE DATABASE IF NOT EXISTS ${database};

-- The seed's content dimension, plus the source position (version) and a delete flag:
-- ReplacingMergeTree keeps the newest change of each id, and FINAL hides deleted ones.
-- version_ts_ms (the seed's) is the commit time; version (the WAL position) orders changes within one ms too.
CREATE TABLE IF NOT EXISTS ${database}.content_dim (
  id              UUID,
  slug            String,
  title           String,
  content_type    LowCardinality(String),
  length_seconds  Nullable(Int32),
  publish_ts      DateTime64(3, 'UTC'),
  version_ts_ms   UInt64,
  version         UInt64,
  is_deleted      UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY id;

-- The seed's enriched facts. Nullable where the source or the LEFT JOIN can give NULL, so avg() and
-- comparisons see NULL rather than a made-up 0. One row per (sorting key, version): an UPDATE that moves
-- event_ts or content_id writes a deleted row under the old key, so FINAL shows only the current one.
CREATE TABLE IF NOT EXISTS ${database}.enriched_engagements (
  event_id           UInt64,
  content_id         Nullable(UUID),
  user_id            Nullable(UUID),
  event_type         LowCardinality(Nullable(String)),
  event_ts           DateTime64(3, 'UTC'),
  duration_ms        Nullable(Int32),
  device             Nullable(String),
  engagement_seconds Nullable(Float64),
  engagement_percent Nullable(Float64),
  content_slug       Nullable(String),
  content_title      Nullable(String),
  content_type       LowCardinality(Nullable(String)),
  length_seconds     Nullable(Int32),
  publish_ts         Nullable(DateTime64(3, 'UTC')),
  loaded_at          DateTime DEFAULT now(),
  version            UInt64,
  is_deleted         UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY toDate(event_ts)
ORDER BY (event_ts, content_id, event_id)
SETTINGS allow_nullable_key = 1, non_replicated_deduplication_window = 1000;

-- The documented way to read facts: exactly one row per live source event, with its current values.
CREATE VIEW IF NOT EXISTS ${database}.enriched_engagements_current AS
SELECT *
FROM ${database}.enriched_engagements FINAL
WHERE is_deleted = 0;

CREATE VIEW IF NOT EXISTS ${database}.content_current AS
SELECT *
FROM ${database}.content_dim FINAL
WHERE is_deleted = 0;
