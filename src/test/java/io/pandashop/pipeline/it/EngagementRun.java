package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One test run's rows in PostgreSQL (tagged with a run id in raw_payload and content slugs), and what PostgreSQL
 * computes for them with the seed's rules, to compare with ClickHouse and the Redis leaderboard value for value.
 */
final class EngagementRun {

    private final Pool pg;
    private final Client clickHouse;
    final String id = UUID.randomUUID().toString();

    EngagementRun(Pool pg, Client clickHouse) {
        this.pg = pg;
        this.clickHouse = clickHouse;
    }

    /** {@code count} content rows of every type, with NULL and 0 lengths among them. */
    void insertContent(int count) {
        exec("""
                INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts)
                SELECT md5($1 || i)::uuid, $1 || '-' || i, 'Title ' || i, (ARRAY['podcast','newsletter','video'])[1 + i % 3],
                       CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN 0 ELSE 30 + (i * 7919) % 7000 END,
                       now() - interval '2 days'
                FROM generate_series(1, {count}) i""".replace("{count}", Integer.toString(count)));
    }

    /**
     * Events {@code from}..{@code to} over the first {@code contents} content rows (some without content, some
     * without duration), event times within the last 4 minutes.
     */
    void insertEvents(int from, int to, int contents) {
        insertEvents(from, to, contents, 0, 240);
    }

    /** The same, with event times from {@code secondsAgo} back over {@code spreadSeconds}. */
    void insertEvents(int from, int to, int contents, int secondsAgo, int spreadSeconds) {
        exec("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT CASE WHEN i % 29 = 0 THEN NULL ELSE md5($1 || (1 + i % {contents}))::uuid END, gen_random_uuid(),
                       (ARRAY['play','pause','finish','click'])[1 + i % 4],
                       date_trunc('milliseconds', now()) - ({ago} + i % {spread}) * interval '1 second',
                       CASE WHEN i % 11 = 0 THEN NULL ELSE (i::bigint * 104729) % 900000 END, 'web',
                       jsonb_build_object('run', $1, 'i', i)
                FROM generate_series({from}, {to}) i""".replace("{contents}", Integer.toString(contents))
                .replace("{from}", Integer.toString(from)).replace("{to}", Integer.toString(to))
                .replace("{ago}", Integer.toString(secondsAgo)).replace("{spread}", Integer.toString(spreadSeconds)));
    }

    /** Runs a statement on this run's rows: {@code $1} is the run id, {@code {ours}} selects its events. */
    void exec(String sql) {
        pg.preparedQuery(sql.replace("{ours}", "raw_payload->>'run' = $1")).execute(Tuple.of(id)).await()
                .indefinitely();
    }

    /** The smallest and just past the largest event_ts of the run's events: a backfill's range for them. */
    java.time.Instant[] eventRange() {
        io.vertx.mutiny.sqlclient.Row r = pg.preparedQuery("SELECT min(event_ts) AS lo, max(event_ts) AS hi"
                + " FROM engagement_events WHERE raw_payload->>'run' = $1").execute(Tuple.of(id)).await().indefinitely()
                .iterator().next();
        return new java.time.Instant[] { r.getOffsetDateTime("lo").toInstant(),
                r.getOffsetDateTime("hi").toInstant().plusMillis(1) };
    }

    /** Ids of this run's events in PostgreSQL. */
    Set<Long> ids() {
        Set<Long> ids = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE raw_payload->>'run' = $1")
                .execute(Tuple.of(id)).await().indefinitely()) {
            ids.add(r.getLong("id"));
        }
        return ids;
    }

    /** Every live event of the run, enriched by PostgreSQL itself, as one comparable string per event id. */
    Map<Long, String> expectedRows() {
        Map<Long, String> rows = new TreeMap<>();
        for (Row r : pg.preparedQuery("""
                SELECT e.id, concat_ws('|', coalesce(e.content_id::text, 'null'), e.event_type,
                         coalesce(e.duration_ms::text, 'null'), coalesce(trim_scale(e.duration_ms / 1000.0)::text, 'null'),
                         coalesce(CASE WHEN c.length_seconds IS NULL OR c.length_seconds = 0 THEN NULL
                              ELSE trim_scale(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) END::text, 'null'),
                         coalesce(c.slug, 'null'), coalesce(c.content_type, 'null'),
                         coalesce(c.length_seconds::text, 'null')) AS v
                FROM engagement_events e LEFT JOIN content c ON c.id = e.content_id
                WHERE e.raw_payload->>'run' = $1""").execute(Tuple.of(id)).await().indefinitely()) {
            rows.put(r.getLong("id"), r.getString("v"));
        }
        return rows;
    }

    /**
     * The same for the events {@code ids} as ClickHouse shows them (deleted ones must be absent). The query takes
     * the ids' range (a list of tens of thousands would exceed ClickHouse's query size); rows of other ids in it
     * are left out here.
     */
    Map<Long, String> clickHouseRows(Set<Long> ids) {
        Map<Long, String> rows = new TreeMap<>();
        if (ids.isEmpty()) {
            return rows;
        }
        long min = java.util.Collections.min(ids);
        long max = java.util.Collections.max(ids);
        for (GenericRecord r : clickHouse.queryAll("""
                SELECT toInt64(event_id) AS id, concat_ws('|', ifNull(toString(content_id), 'null'),
                         ifNull(toString(event_type), 'null'), ifNull(toString(duration_ms), 'null'),
                         ifNull(toString(engagement_seconds), 'null'), ifNull(toString(engagement_percent), 'null'),
                         ifNull(content_slug, 'null'), ifNull(toString(content_type), 'null'),
                         ifNull(toString(length_seconds), 'null')) AS v
                FROM app.enriched_engagements_current WHERE event_id BETWEEN %d AND %d""".formatted(min, max))) {
            if (ids.contains(r.getLong("id"))) {
                rows.put(r.getLong("id"), r.getString("v"));
            }
        }
        return rows;
    }

    /** Sum of engagement_percent per content over live events of the last 9 minutes, by event time. */
    Map<String, BigDecimal> expectedScores() {
        Map<String, BigDecimal> scores = new HashMap<>();
        for (Row r : pg.preparedQuery("""
                SELECT e.content_id::text AS id, sum(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) AS s
                FROM engagement_events e JOIN content c ON c.id = e.content_id
                WHERE e.raw_payload->>'run' = $1 AND c.length_seconds <> 0 AND e.duration_ms IS NOT NULL
                  AND e.event_ts >= now() - interval '9 minutes'
                GROUP BY e.content_id HAVING sum(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) <> 0""")
                .execute(Tuple.of(id)).await().indefinitely()) {
            scores.put(r.getString("id"), r.getBigDecimal("s").setScale(2));
        }
        return scores;
    }

    /**
     * The run's content in the 10-minute leaderboard, read from Redis the way the top-content API reads it (the
     * union of the window's buckets), but for this run's content only, so other tests' content cannot crowd it out.
     */
    Map<String, BigDecimal> leaderboard(RedisDataSource redis, LeaderboardKeys keys) {
        Set<String> ours = contentIds();
        List<String> window = keys.window(Instant.now(), keys.windowSeconds());
        Map<String, BigDecimal> scores = new HashMap<>();
        for (ScoredValue<String> entry : redis.sortedSet(String.class)
                .zunionWithScores(window.toArray(new String[0]))) {
            long hundredths = Math.round(entry.score());
            if (ours.contains(entry.value()) && hundredths != 0) {
                scores.put(entry.value(), BigDecimal.valueOf(hundredths, 2));
            }
        }
        return scores;
    }

    /**
     * Takes the run's content out of the leaderboard buckets, so that a run of thousands of events does not crowd
     * later tests' content out of the top-content API's answer (at most 1,000 entries).
     */
    void removeFromLeaderboard(RedisDataSource redis, LeaderboardKeys keys) {
        String[] ours = contentIds().toArray(new String[0]);
        if (ours.length > 0) {
            for (String key : keys.window(Instant.now(), keys.windowSeconds())) {
                redis.sortedSet(String.class).zrem(key, ours);
            }
        }
    }

    Set<String> contentIds() {
        Set<String> ours = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id::text AS id FROM content WHERE slug LIKE $1 || '-%'")
                .execute(Tuple.of(id)).await().indefinitely()) {
            ours.add(r.getString("id"));
        }
        return ours;
    }
}
