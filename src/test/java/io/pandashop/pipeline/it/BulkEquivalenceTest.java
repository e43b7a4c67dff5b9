package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 3,000 events over 300 content rows (NULL and 0 lengths, NULL durations and contents, every op), then
 * ClickHouse and the Redis leaderboard must equal, value for value, what PostgreSQL computes with the seed's rules.
 */
@QuarkusTest
class BulkEquivalenceTest {

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;

    private final String run = UUID.randomUUID().toString();

    @Test
    void clickHouseAndRedisEqualWhatPostgresComputes() {
        exec("""
                INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts)
                SELECT md5($1 || i)::uuid, $1 || '-' || i, 'Title ' || i, (ARRAY['podcast','newsletter','video'])[1 + i % 3],
                       CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN 0 ELSE 30 + (i * 7919) % 7000 END,
                       now() - interval '2 days'
                FROM generate_series(1, 300) i""");
        exec("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT CASE WHEN i % 29 = 0 THEN NULL ELSE md5($1 || (1 + i % 300))::uuid END, gen_random_uuid(),
                       (ARRAY['play','pause','finish','click'])[1 + i % 4],
                       date_trunc('milliseconds', now()) - (i % 240) * interval '1 second',
                       CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 104729) % 900000 END, 'web',
                       jsonb_build_object('run', $1, 'i', i)
                FROM generate_series(1, 3000) i""");
        String ours = "raw_payload->>'run' = $1";
        exec("UPDATE engagement_events SET duration_ms = duration_ms / 3 + 7 WHERE " + ours + " AND id % 7 = 0");
        exec("UPDATE engagement_events SET event_ts = event_ts - interval '1 hour' WHERE " + ours + " AND id % 13 = 0");
        exec("UPDATE engagement_events SET content_id = NULL WHERE " + ours + " AND id % 17 = 0");
        Set<Long> ids = allIds();
        exec("DELETE FROM engagement_events WHERE " + ours + " AND id % 19 = 0");

        Map<Long, String> expected = expectedRows();
        assertEquals(3000, ids.size());
        assertEquals(ids.stream().filter(id -> id % 19 != 0).count(), expected.size(), "every 19th event deleted");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(expected.keySet(), clickHouseRows(ids).keySet()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expected, clickHouseRows(ids)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expectedScores(), leaderboard()));
    }

    private void exec(String sql) {
        pg.preparedQuery(sql).execute(Tuple.of(run)).await().indefinitely();
    }

    private Map<Long, String> expectedRows() {
        Map<Long, String> rows = new TreeMap<>();
        for (Row r : pg.preparedQuery("""
                SELECT e.id, concat_ws('|', coalesce(e.content_id::text, 'null'), e.event_type,
                         coalesce(e.duration_ms::text, 'null'), coalesce(trim_scale(e.duration_ms / 1000.0)::text, 'null'),
                         coalesce(CASE WHEN c.length_seconds IS NULL OR c.length_seconds = 0 THEN NULL
                              ELSE trim_scale(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) END::text, 'null'),
                         coalesce(c.slug, 'null'), coalesce(c.content_type, 'null'),
                         coalesce(c.length_seconds::text, 'null')) AS v
                FROM engagement_events e LEFT JOIN content c ON c.id = e.content_id
                WHERE e.raw_payload->>'run' = $1""").execute(Tuple.of(run)).await().indefinitely()) {
            rows.put(r.getLong("id"), r.getString("v"));
        }
        return rows;
    }

    private Map<Long, String> clickHouseRows(Set<Long> ids) {
        Map<Long, String> rows = new TreeMap<>();
        String idList = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        for (GenericRecord r : clickHouse.queryAll("""
                SELECT toInt64(event_id) AS id, concat_ws('|', ifNull(toString(content_id), 'null'),
                         ifNull(toString(event_type), 'null'), ifNull(toString(duration_ms), 'null'),
                         ifNull(toString(engagement_seconds), 'null'), ifNull(toString(engagement_percent), 'null'),
                         ifNull(content_slug, 'null'), ifNull(toString(content_type), 'null'),
                         ifNull(toString(length_seconds), 'null')) AS v
                FROM app.enriched_engagements_current WHERE event_id IN (%s)""".formatted(idList))) {
            rows.put(r.getLong("id"), r.getString("v"));
        }
        return rows;
    }

    /** Ids of this run's events, deleted ones included (ClickHouse must not show those). */
    private Set<Long> allIds() {
        Set<Long> ids = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE raw_payload->>'run' = $1")
                .execute(Tuple.of(run)).await().indefinitely()) {
            ids.add(r.getLong("id"));
        }
        return ids;
    }

    /** Sum of engagement_percent per content over live events of the last 10 minutes, by event time. */
    private Map<String, BigDecimal> expectedScores() {
        Map<String, BigDecimal> scores = new HashMap<>();
        for (Row r : pg.preparedQuery("""
                SELECT e.content_id::text AS id, sum(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) AS s
                FROM engagement_events e JOIN content c ON c.id = e.content_id
                WHERE e.raw_payload->>'run' = $1 AND c.length_seconds <> 0 AND e.duration_ms IS NOT NULL
                  AND e.event_ts >= now() - interval '9 minutes'
                GROUP BY e.content_id HAVING sum(round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)) <> 0""")
                .execute(Tuple.of(run)).await().indefinitely()) {
            scores.put(r.getString("id"), r.getBigDecimal("s").setScale(2));
        }
        return scores;
    }

    private Map<String, BigDecimal> leaderboard() {
        JsonNode top = RestAssured.given().get("/api/top-content?limit=1000&window=10").then().statusCode(200)
                .extract().as(JsonNode.class);
        Map<String, BigDecimal> scores = new HashMap<>();
        for (JsonNode entry : top) {
            if (entry.path("slug").asText().startsWith(run + "-")) {
                scores.put(entry.get("content_id").asText(), entry.get("score").decimalValue().setScale(2));
            }
        }
        return scores;
    }
}
