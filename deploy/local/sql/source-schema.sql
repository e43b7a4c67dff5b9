-- The seed's source tables, exactly, plus what Debezium needs (REPLICA IDENTITY FULL).
-- Idempotent: safe to run on every start.
CREATE TABLE IF NOT EXISTS content (
    id              UUID PRIMARY KEY,
    slug            TEXT UNIQUE NOT NULL,
    title           TEXT        NOT NULL,
    content_type    TEXT CHECK (content_type IN ('podcast', 'newsletter', 'video')),
    length_seconds  INTEGER,
    publish_ts      TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS engagement_events (
    id           BIGSERIAL PRIMARY KEY,
    content_id   UUID REFERENCES content(id),
    user_id      UUID,
    event_type   TEXT CHECK (event_type IN ('play', 'pause', 'finish', 'click')),
    event_ts     TIMESTAMPTZ NOT NULL,
    duration_ms  INTEGER,
    device       TEXT,
    raw_payload  JSONB
);

-- Without FULL a DELETE's "before" carries placeholders and an UPDATE has no "before".
ALTER TABLE content REPLICA IDENTITY FULL;
ALTER TABLE engagement_events REPLICA IDENTITY FULL;

-- Backfills (POST /admin/backfill) read a range of event_ts; without this they scan the whole table.
CREATE INDEX IF NOT EXISTS engagement_events_event_ts ON engagement_events (event_ts);
