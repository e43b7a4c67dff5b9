package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backfills against the real stack: the token guard, idempotence (twice over what the live stream delivered:
 * nothing changes, nothing counts twice, the receiver sees the same idempotency keys), live changes to the same
 * rows while a backfill runs (the newest version wins everywhere), progress and cancel.
 */
@QuarkusTest
class BackfillTest {

    private static final String TOKEN = "test-admin-token";
    private static final List<String> TYPES = List.of("podcast", "newsletter", "video");

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    /** The receiver keeps every request body; backfills send many, so each test starts and ends with none. */
    @BeforeEach
    @AfterEach
    void clearReceiverJournal() {
        RestAssured.given().delete(Stack.externalAdmin() + "/requests").then().statusCode(200);
    }

    @Test
    void adminEndpointsRefuseRequestsWithoutTheToken() {
        String body = "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}";
        RestAssured.given().contentType(ContentType.JSON).body(body).post("/admin/backfill").then()
                .statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("status", equalTo(401)).body("detail", containsString("bearer token is required"));
        RestAssured.given().header("Authorization", "Bearer not-the-token").contentType(ContentType.JSON).body(body)
                .post("/admin/backfill").then().statusCode(401).body("detail", containsString("not the admin token"))
                .body("detail", org.hamcrest.Matchers.not(containsString(TOKEN)));
        RestAssured.given().get("/admin/backfill").then().statusCode(401);
        RestAssured.given().delete("/admin/backfill/any").then().statusCode(401);
        // With the token, a bad request is a 400 problem, not a backfill.
        admin().contentType(ContentType.JSON).body("{\"from\":\"yesterday\",\"to\":\"2026-01-02T00:00:00Z\"}")
                .post("/admin/backfill").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("'from' is not an ISO-8601 instant"));
        admin().get("/admin/backfill/no-such-id").then().statusCode(404);
    }

    /** The allowed content types are the source database's (its CHECK on content.content_type). */
    @Test
    void anUnknownContentTypeIsRefusedWithTheDatabasesList() {
        admin().contentType(ContentType.JSON)
                .body("{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\",\"content_type\":\"audio\"}")
                .post("/admin/backfill").then().statusCode(400)
                .body(containsString("'content_type' must be one of [podcast, newsletter, video]"));
    }

    @Test
    void backfillTwiceOverWhatTheLiveStreamDeliveredChangesNothing() throws Exception {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(100);
        // Event times 7 to 8 minutes ago (still in the leaderboard's window): a minute no other test writes to
        // just before, so the backfill reads this run's rows and not tens of thousands of others.
        run.insertEvents(1, 2000, 100, 420, 60);
        run.exec("UPDATE engagement_events SET duration_ms = duration_ms / 3 + 7 WHERE {ours} AND id % 7 = 0");
        run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 19 = 0");
        Set<Long> ids = run.ids();
        Map<Long, String> expected = run.expectedRows();
        Map<String, BigDecimal> scores = run.expectedScores();
        awaitDelivered(run, ids, expected, scores);
        long changes = ids.size() + ids.stream().filter(i -> i % 7 == 0).count()
                + ids.stream().filter(i -> i % 19 == 0).count();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(changes, receiverKeys(run, ids).size(),
                        "the receiver has one key per live change"));
        long streamEntries = streamEntries();
        Set<String> keysBefore = receiverKeys(run, ids);

        Instant[] range = run.eventRange();
        double rowsMetricBefore = Stack.metric("pipeline_backfill_rows_total", "");
        long firstLsn = 0;
        for (int attempt = 1; attempt <= 2; attempt++) {
            JsonPath done = runToEnd(range[0], range[1], null);
            assertEquals("SUCCEEDED", done.getString("state"), "attempt " + attempt + ": " + done.prettify());
            assertEquals(done.getLong("rows_total"), done.getLong("rows_done"));
            assertTrue(done.getLong("rows_done") >= expected.size(), "it read at least our live events");
            long lsn = done.getLong("source_lsn");
            assertTrue(lsn >= firstLsn, "a later run reads the same or a newer snapshot");
            firstLsn = lsn;

            // The backfill did write: every live event of ours has a ClickHouse row at its snapshot's position.
            assertEquals(expected.size(), rowsAtVersion(ids, lsn), "attempt " + attempt);
            // ...and nothing changed in what a reader sees.
            assertEquals(expected, run.clickHouseRows(ids), "attempt " + attempt);
            assertEquals(scores, run.leaderboard(redis, keys), "attempt " + attempt + ": nothing counted twice");
            assertEquals(streamEntries, streamEntries(), "attempt " + attempt + ": no stream entry added");
            Set<String> keysAfter = receiverKeys(run, ids);
            assertEquals(keysBefore, keysAfter, "attempt " + attempt + ": the receiver got no new idempotency key");
            assertTrue(readsDelivered(run, ids) >= expected.size() * attempt,
                    "attempt " + attempt + ": the receiver got the backfill's rows (op r)");
        }
        assertTrue(Stack.metric("pipeline_backfill_rows_total", "") - rowsMetricBefore >= 2.0 * expected.size(),
                "the rows metric counts what the backfills delivered");
        run.removeFromLeaderboard(redis, keys);
    }

    @Test
    void liveChangesDuringABackfillEndWithTheNewestVersionEverywhere() {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(200);
        run.insertEvents(1, 20_000, 200);
        Instant[] range = run.eventRange();
        String id = start(range[0], range[1], null).getString("id");
        // The same rows change under the backfill: durations, event times (moving sorting keys and leaderboard
        // buckets), content, deletes, and new rows.
        run.exec("UPDATE engagement_events SET duration_ms = duration_ms / 2 + 11 WHERE {ours} AND id % 5 = 0");
        run.exec("UPDATE engagement_events SET event_ts = event_ts - interval '30 seconds' WHERE {ours} AND id % 9 = 0");
        run.exec("UPDATE engagement_events SET content_id = NULL WHERE {ours} AND id % 23 = 0");
        run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 31 = 0");
        run.insertEvents(20_001, 21_000, 200);
        run.exec("UPDATE engagement_events SET duration_ms = duration_ms + 1000 WHERE {ours} AND id % 3 = 0");
        JsonPath status = awaitFinished(id, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", status.getString("state"), status.prettify());

        Set<Long> ids = run.ids();
        Map<Long, String> expected = run.expectedRows();
        awaitDelivered(run, ids, expected, run.expectedScores());
        run.removeFromLeaderboard(redis, keys);
    }

    /**
     * A transaction that changed a row before the backfill began, and commits only after: the backfill waits for
     * it before taking its snapshot, so that change is not lost behind the backfill's older copy of the row.
     */
    @Test
    void aBackfillWaitsForTransactionsThatWroteBeforeItBegan() throws Exception {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(10);
        run.insertEvents(1, 200, 10, 300, 30);
        Set<Long> ids = run.ids();
        awaitDelivered(run, ids, run.expectedRows(), run.expectedScores());
        long changed = java.util.Collections.min(ids);
        io.vertx.mutiny.sqlclient.SqlConnection writer = pg.getConnection().await().indefinitely();
        try {
            io.vertx.mutiny.sqlclient.Transaction tx = writer.begin().await().indefinitely();
            writer.preparedQuery("UPDATE engagement_events SET duration_ms = 123456 WHERE id = $1")
                    .execute(Tuple.of(changed)).await().indefinitely();
            Instant[] range = run.eventRange();
            OffsetDateTime began = databaseNow();
            String id = start(range[0], range[1], null).getString("id");
            // Proof it waits: its session still asks for the oldest running transaction 2 s after it started.
            awaitWaitingForOlderTransactions(began.plusSeconds(2));
            JsonPath waiting = status(id);
            assertEquals("RUNNING", waiting.getString("state"), waiting.prettify());
            assertTrue(waiting.get("rows_total") == null, "no snapshot while an older writer is open: "
                    + waiting.prettify());
            tx.commit().await().indefinitely();
            JsonPath done = awaitFinished(id, Duration.ofMinutes(1));
            assertEquals("SUCCEEDED", done.getString("state"), done.prettify());
        } finally {
            writer.close().await().indefinitely();
        }
        Map<Long, String> expected = run.expectedRows();
        assertTrue(expected.get(changed).contains("|123456|"), expected.get(changed));
        awaitDelivered(run, ids, expected, run.expectedScores());
        run.removeFromLeaderboard(redis, keys);
    }

    @Test
    void progressIsReportedAndACancelStopsTheBackfill() throws Exception {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(50);
        run.insertEvents(1, 30_000, 50);
        Instant[] range = run.eventRange();
        String id = start(range[0], range[1], null).getString("id");
        JsonPath midway = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath s = status(id);
            if (!"RUNNING".equals(s.getString("state"))) {
                break;
            }
            if (s.get("rows_total") != null && s.getLong("rows_done") > 0) {
                midway = s;
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(midway != null, "a running backfill reported rows done before it ended");
        assertTrue(midway.getLong("rows_total") >= 30_000, midway.prettify());
        assertTrue(midway.getLong("rows_done") < midway.getLong("rows_total"), midway.prettify());
        assertTrue(midway.getDouble("rows_per_second") > 0, midway.prettify());
        assertTrue(midway.get("eta_seconds") != null, midway.prettify());

        JsonPath cancelled = admin().delete("/admin/backfill/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals("CANCELLED", cancelled.getString("state"));
        long doneAtCancel = cancelled.getLong("rows_done");
        assertTrue(doneAtCancel < cancelled.getLong("rows_total"), cancelled.prettify());
        // Pages already on their way still land (at most max-pages-in-flight of them), then nothing moves: the
        // reader has ended its snapshot transaction (its session's last statement is the ROLLBACK that releases
        // it) and the fan-out holds no batch.
        await().atMost(Duration.ofSeconds(30)).until(() -> backfillSessionReleased()
                && Stack.metric("pipeline_fanout_in_flight") == 0);
        long settled = status(id).getLong("rows_done");
        assertTrue(settled - doneAtCancel <= 4 * 500, "at most the pages in flight landed after the cancel");
        assertEquals("CANCELLED", status(id).getString("state"));
        assertTrue(admin().get("/admin/backfill").then().statusCode(200).extract().jsonPath().getList("id")
                .contains(id), "it is listed");
        JsonNode shown = dashboardSnapshot().path("backfill");
        assertEquals(id, shown.path("id").asText(), "the dashboard shows the latest backfill");
        assertEquals("CANCELLED", shown.path("state").asText());
        assertEquals(settled, shown.path("rows_done").asLong());
        JsonPath runAfter = runToEnd(range[0], range[0].plusMillis(1), null);
        long finalDone = status(id).getLong("rows_done");
        assertEquals(settled, finalDone, "nothing is read after the cancel");
        assertTrue(finalDone < cancelled.getLong("rows_total"), "the cancel stopped the reading");
        // The next backfill could start: the cancelled one no longer counts as running.
        assertEquals("SUCCEEDED", runAfter.getString("state"), runAfter.prettify());
        run.removeFromLeaderboard(redis, keys);
    }

    // ---------------------------------------------------------------------------------------------------------

    private OffsetDateTime databaseNow() {
        return pg.query("SELECT clock_timestamp() AS t").execute().await().indefinitely().iterator().next()
                .getOffsetDateTime("t");
    }

    /** A backfill's session (not ours) ran its "oldest running transaction" query after {@code after}. */
    private void awaitWaitingForOlderTransactions(OffsetDateTime after) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> pg.preparedQuery(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                        + " AND query LIKE 'SELECT pg_snapshot_xmin(pg_current_snapshot())%' AND query_start > $1")
                .execute(Tuple.of(after)).await().indefinitely().iterator().next().getLong("n") > 0);
    }

    /** No session holds a backfill's snapshot: none is still in the transaction whose last statement read pages. */
    private boolean backfillSessionReleased() {
        return pg.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state <> 'idle'"
                        + " AND query LIKE '%FROM engagement_events e LEFT JOIN content c%'")
                .execute().await().indefinitely().iterator().next().getLong("n") == 0;
    }

    /** The first snapshot the dashboard's event stream sends. */
    private static JsonNode dashboardSnapshot() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/dashboard/stream")).build();
        try (java.util.stream.Stream<String> lines = http.send(request,
                java.net.http.HttpResponse.BodyHandlers.ofLines()).body()) {
            String data = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
            return Stack.JSON.readTree(data.substring("data:".length()));
        }
    }

    private static RequestSpecification admin() {
        return RestAssured.given().header("Authorization", "Bearer " + TOKEN);
    }

    private static JsonPath start(Instant from, Instant to, String type) {
        String body = "{\"from\":\"" + from + "\",\"to\":\"" + to + "\""
                + (type == null ? "" : ",\"content_type\":\"" + type + "\"") + "}";
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                () -> admin().contentType(ContentType.JSON).body(body).post("/admin/backfill"),
                r -> r.statusCode() != 409)
                .then().statusCode(202).header("Location", containsString("/admin/backfill/"))
                .body("state", equalTo("RUNNING")).extract().jsonPath();
    }

    private static JsonPath status(String id) {
        return admin().get("/admin/backfill/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitFinished(String id, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(() -> status(id), s -> !"RUNNING".equals(s.getString("state")));
    }

    private static JsonPath runToEnd(Instant from, Instant to, String type) {
        return awaitFinished(start(from, to, type).getString("id"), Duration.ofMinutes(2));
    }

    private void awaitDelivered(EngagementRun run, Set<Long> ids, Map<Long, String> expected,
            Map<String, BigDecimal> scores) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(scores, run.leaderboard(redis, keys)));
    }


    private long rowsAtVersion(Set<Long> ids, long version) {
        String idList = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        return clickHouse.queryAll("SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE version = "
                + version + " AND event_id IN (" + idList + ")").get(0).getLong("n");
    }

    private long streamEntries() {
        long n = 0;
        for (String type : TYPES) {
            n += redis.stream(String.class).xlen(keys.stream(type));
        }
        return n;
    }

    /** The idempotency keys the receiver got for the events {@code ids}. */
    private static Set<String> receiverKeys(EngagementRun run, Set<Long> ids) throws Exception {
        Set<String> found = new HashSet<>();
        for (JsonNode e : delivered(run, ids)) {
            found.add(e.get("idempotency_key").asText());
        }
        return found;
    }

    private static long readsDelivered(EngagementRun run, Set<Long> ids) throws Exception {
        return delivered(run, ids).stream().filter(e -> "r".equals(e.get("op").asText())).count();
    }

    /** What the receiver got for the run's events {@code ids} (deleted ones included). */
    private static List<JsonNode> delivered(EngagementRun run, Set<Long> ids) throws Exception {
        List<JsonNode> events = new java.util.ArrayList<>();
        for (JsonNode request : Stack.externalRequestsContaining(run.id)) {
            for (JsonNode e : Stack.JSON.readTree(request.path("body").asText())) {
                if (ids.contains(e.get("event_id").asLong())) {
                    events.add(e);
                }
            }
        }
        return events;
    }
}
