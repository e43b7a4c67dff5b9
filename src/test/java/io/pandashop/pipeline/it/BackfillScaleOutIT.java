package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backfills behind several replicas, with two packaged instances A and B sharing Redis: a backfill started on A
 * is reported, listed and cancelled by B; B refuses a second one while A runs one; and when A is killed (SIGKILL)
 * during a backfill, B reports it FAILED within the lease TTL and a few seconds, and can start the next one; a
 * graceful stop (SIGTERM) of B fails the backfill it runs at once. While Redis is down the running replica stops
 * reading before its lease could expire.
 * <p>
 * Small pages, one in flight, make a backfill of 20,000 rows take tens of seconds, so it is still running when
 * a test acts on it. The rows are inserted before the instances start, which begin at the end of the topic: only
 * the backfills read them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackfillScaleOutIT {

    private static final String TOKEN = PackagedService.env("PIPELINE_ADMIN_TOKEN", "test-admin-token");
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Vertx vertx;
    private static Pool pg;
    private static PackagedService a;
    private static PackagedService b;
    private static Instant from;
    private static Instant to;

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        vertx = Vertx.vertx();
        pg = StackClients.postgres(vertx);
        try (Client clickHouse = StackClients.clickHouse()) {
            EngagementRun run = new EngagementRun(pg, clickHouse);
            run.insertContent(20);
            // Five days ago, over one minute: a range no other test's rows are in.
            run.insertEvents(1, 20_000, 20, 5 * 86_400, 60);
            Row r = pg.preparedQuery("SELECT min(event_ts) AS lo, max(event_ts) AS hi FROM engagement_events "
                    + "WHERE raw_payload->>'run' = $1").execute(Tuple.of(run.id)).await().indefinitely()
                    .iterator().next();
            from = r.getOffsetDateTime("lo").toInstant();
            to = r.getOffsetDateTime("hi").toInstant().plusMillis(1);
        }
        Map<String, String> settings = Map.of(
                "CONSUMER_GROUP", "backfill-scale-out-" + java.util.UUID.randomUUID(),
                "KAFKA_AUTO_OFFSET_RESET", "latest",
                "PIPELINE_BACKFILL_LEASE", LEASE.toString(),
                "PIPELINE_BACKFILL_PAGE_SIZE", "100",
                "PIPELINE_BACKFILL_MAX_PAGES_IN_FLIGHT", "1");
        a = PackagedService.start("backfill-a", settings);
        b = PackagedService.start("backfill-b", settings);
        a.awaitReady(Duration.ofSeconds(120));
        b.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (PackagedService s : new PackagedService[] { a, b }) {
            if (s != null) {
                s.close();
            }
        }
        if (pg != null) {
            pg.closeAndAwait();
            vertx.closeAndAwait();
        }
    }

    /** Whatever a test left running is cancelled, so the next one can start its own. */
    @AfterEach
    void noBackfillRuns() throws Exception {
        PackagedService alive = a.alive() ? a : b;
        if (!alive.alive()) {
            return;
        }
        for (JsonNode s : call(alive, "GET", "").body()) {
            if ("RUNNING".equals(s.path("state").asText())) {
                call(alive, "DELETE", "/" + s.path("id").asText());
            }
        }
    }

    @Test
    @Order(1)
    void aBackfillStartedOnOneReplicaIsReportedAndListedByTheOther() throws Exception {
        String id = start(a);
        JsonNode reading = awaitReading(b, id);
        assertEquals("RUNNING", reading.path("state").asText(), reading.toString());
        assertTrue(reading.path("rows_total").asLong() >= 20_000, reading.toString());
        assertTrue(reading.path("rows_per_second").asDouble() > 0, reading.toString());
        assertTrue(!reading.path("eta_seconds").isNull(), reading.toString());
        JsonNode listed = call(b, "GET", "").body();
        assertEquals(id, listed.get(0).path("id").asText(), "B lists it first: " + listed);
        JsonNode later = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> call(b, "GET", "/" + id).body(),
                        s -> s.path("rows_done").asLong() > reading.path("rows_done").asLong());
        assertEquals("RUNNING", later.path("state").asText(), "B sees its progress move: " + later);
    }

    @Test
    @Order(2)
    void aSecondBackfillOnTheOtherReplicaIsRefusedWhileOneRuns() throws Exception {
        String id = start(a);
        Answer refused = call(b, "POST", "", "{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");
        assertEquals(409, refused.status(), refused.body().toString());
        assertTrue(refused.body().path("detail").asText().contains(id), refused.body().toString());
        assertEquals("RUNNING", call(a, "GET", "/" + id).body().path("state").asText());
    }

    @Test
    @Order(3)
    void aCancelOnTheOtherReplicaStopsTheReading() throws Exception {
        String id = start(a);
        awaitReading(b, id);
        Answer cancelled = call(b, "DELETE", "/" + id);
        assertEquals(200, cancelled.status(), cancelled.body().toString());
        assertEquals("CANCELLED", cancelled.body().path("state").asText(), "B waited for A to stop: "
                + cancelled.body());
        long doneAtCancel = cancelled.body().path("rows_done").asLong();
        assertTrue(doneAtCancel < cancelled.body().path("rows_total").asLong(), cancelled.body().toString());
        // A stopped reading: it has ended its snapshot's transaction (the session's last statement is the ROLLBACK
        // that releases the cursor), its backfill gauge is 0 and its fan-out holds no page.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> snapshotSessionReleased() && metric(a, "pipeline_backfill_running") == 0
                        && metric(a, "pipeline_fanout_in_flight") == 0);
        double rowsOnA = metric(a, "pipeline_backfill_rows_total");
        // The next backfill (on B, to its end) runs after the cancelled one has let go of the lease; by then
        // nothing more of the cancelled one was read on A, nor counted.
        String next = start(b, from, from.plusMillis(1));
        JsonNode done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> call(a, "GET", "/" + next).body(), s -> !"RUNNING".equals(s.path("state").asText()));
        assertEquals("SUCCEEDED", done.path("state").asText(), done.toString());
        JsonNode after = call(a, "GET", "/" + id).body();
        assertEquals("CANCELLED", after.path("state").asText(), after.toString());
        assertEquals(doneAtCancel, after.path("rows_done").asLong(), "rows done as of the cancel: " + after);
        assertEquals(rowsOnA, metric(a, "pipeline_backfill_rows_total"), "A read nothing more");
        assertTrue(a.log().contains("backfill " + id + " cancelled"), a.tail());
    }

    /**
     * Redis goes away during a backfill: the replica running it cannot renew its lease, so it stops reading before
     * the lease can expire (another replica could start one then), and writes that end once Redis is back. Without
     * that, the backfill would only wait for the Redis destination and read on once Redis is back.
     */
    @Test
    @Order(4)
    void aReplicaThatCannotRenewItsLeaseStopsReading() throws Exception {
        String id = start(a);
        awaitReading(b, id);
        StackControl.stop("redis");
        try {
            Answer down = call(b, "GET", "/" + id);
            assertEquals(503, down.status(), "without Redis, no replica knows: " + down.body());
            // A state, not a sleep: A's snapshot transaction ends while Redis is still down.
            await("A stops reading while Redis is down").atMost(LEASE.plusSeconds(20))
                    .pollInterval(Duration.ofMillis(200)).until(BackfillScaleOutIT::snapshotSessionReleased);
        } finally {
            StackControl.start("redis");
        }
        JsonNode failed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> call(b, "GET", "/" + id), r -> r.status() == 200
                        && !"RUNNING".equals(r.body().path("state").asText())).body();
        assertEquals("FAILED", failed.path("state").asText(), failed.toString());
        // Whichever came first once Redis was back: A's own end, or B finding the lease expired.
        String reason = failed.path("errors").get(0).asText();
        assertTrue(reason.contains("could not renew its lease") || reason.contains("lease expired"), reason);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.log().contains("backfill " + id + " failed after"));
        assertTrue(a.log().contains("could not renew its lease"), a.tail());
    }

    @Test
    @Order(5)
    void whenTheReplicaRunningABackfillDiesTheOtherReportsItFailed() throws Exception {
        String id = start(a);
        awaitReading(b, id);
        a.kill();
        long killed = System.nanoTime();
        JsonNode failed = await().atMost(LEASE.plusSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> call(b, "GET", "/" + id).body(), s -> !"RUNNING".equals(s.path("state").asText()));
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("BackfillScaleOutIT: the killed replica's backfill read FAILED on the other after %d ms "
                + "(lease %s)%n", took.toMillis(), LEASE);
        assertEquals("FAILED", failed.path("state").asText(), failed.toString());
        assertEquals("the replica running it stopped: lease expired", failed.path("errors").get(0).asText(),
                failed.toString());
        assertTrue(took.compareTo(LEASE.plusSeconds(3)) <= 0, "within the lease and a few seconds: " + took);
        // The lease is free: B starts the next one.
        String next = start(b);
        assertEquals(200, call(b, "DELETE", "/" + next).status());
    }

    /** SIGTERM, as Kubernetes stops a pod: the backfill is FAILED at once, and the lease free, without waiting. */
    @Test
    @Order(6)
    void aGracefulStopFailsTheBackfillAtOnce() throws Exception {
        String id = start(b);
        awaitReading(b, id);
        int status = b.stop(Duration.ofSeconds(20));
        assertTrue(status == 0 || status == 143, "SIGTERM stops it (status " + status + "):\n" + b.tail());
        Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + PackagedService.env("REDIS_PORT", "16379"));
        try {
            String hash = "{pandashop}:backfill:" + id;
            assertEquals("FAILED", redis.send(Request.cmd(Command.HGET).arg(hash).arg("state")).await()
                    .atMost(Duration.ofSeconds(5)).toString(), b.tail());
            assertEquals("the service stopped", redis.send(Request.cmd(Command.HGET).arg(hash).arg("error")).await()
                    .atMost(Duration.ofSeconds(5)).toString());
            assertEquals(null, redis.send(Request.cmd(Command.GET).arg("{pandashop}:backfill:lease")).await()
                    .atMost(Duration.ofSeconds(5)), "the lease is released");
        } finally {
            redis.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Answer(int status, JsonNode body) {
    }

    private static String start(PackagedService s) {
        return start(s, from, to);
    }

    /** Retried while the one before still holds the lease (it lets go just after its end is written). */
    private static String start(PackagedService s, Instant start, Instant end) {
        Answer started = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> call(s, "POST", "", "{\"from\":\"" + start + "\",\"to\":\"" + end + "\"}"),
                        r -> r.status() != 409);
        assertEquals(202, started.status(), started.body().toString());
        assertEquals("RUNNING", started.body().path("state").asText());
        return started.body().path("id").asText();
    }

    /** The backfill as {@code s} reports it once it has counted its rows and some are done. */
    private static JsonNode awaitReading(PackagedService s, String id) {
        Answer reading = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> call(s, "GET", "/" + id), r -> r.status() != 200
                        || !"RUNNING".equals(r.body().path("state").asText()) || r.body().path("rows_done").asLong() > 0);
        assertEquals(200, reading.status(), "GET /admin/backfill/" + id + ": " + reading.body());
        return reading.body();
    }

    /** No PostgreSQL session is still inside a backfill's snapshot transaction. */
    private static boolean snapshotSessionReleased() {
        return pg.query("SELECT count(*) AS n FROM pg_stat_activity WHERE state <> 'idle'"
                        + " AND query LIKE '%FROM engagement_events e LEFT JOIN content c%'"
                        + " AND pid <> pg_backend_pid()")
                .execute().await().indefinitely().iterator().next().getLong("n") == 0;
    }

    private static double metric(PackagedService s, String name) {
        double sum = 0;
        for (String line : s.body("/q/metrics").split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Answer call(PackagedService s, String method, String path) throws Exception {
        return call(s, method, path, null);
    }

    private static Answer call(PackagedService s, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(s.url("/admin/backfill" + path)))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.nullNode()
                : JSON.readTree(response.body()));
    }
}
