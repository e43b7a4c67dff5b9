package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backfill CLI (deploy/local/backfill.py, what deploy/local/backfill.sh runs) against the service under test:
 * progress to the end and exit 0, exit 1 with the reason when the backfill fails, and cancel by Ctrl-C and by
 * --cancel. A transaction held open across the backfill's start keeps it waiting (RUNNING) as long as the test
 * needs; past pipeline.backfill.start-timeout (10 s in the test profile) it fails.
 */
@QuarkusTest
class BackfillCliTest {

    private static final String TOKEN = "test-admin-token";
    private static final Pattern ID = Pattern.compile("backfill (\\S+) started");

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    private SqlConnection writer;

    @AfterEach
    void endOpenTransaction() {
        if (writer != null) {
            writer.close().await().indefinitely(); // rolls back
            writer = null;
        }
        RestAssured.given().delete(Stack.externalAdmin() + "/requests").then().statusCode(200);
    }

    @Test
    void followsABackfillToItsEndAndExitsZero() throws Exception {
        EngagementRun run = runThreeDaysAgo(2_000);
        Instant[] range = run.eventRange();
        BackfillCli cli = BackfillCli.start(TOKEN, "--from", range[0].toString(), "--to", range[1].toString());
        int exit = cli.exitCode(Duration.ofMinutes(2));
        String out = cli.output();
        assertEquals(0, exit, out);
        assertTrue(ID.matcher(out).find(), out);
        // Every row in the range: the run's 2,000 and any other test's rows of that time.
        Matcher end = Pattern.compile("] 100%  ([\\d,]+)/\\1 rows").matcher(out);
        assertTrue(end.find(), "a progress line at the end: " + out);
        assertTrue(Long.parseLong(end.group(1).replace(",", "")) >= 2_000, out);
        assertTrue(Pattern.compile("backfill \\S+ succeeded: " + Pattern.quote(end.group(1)) + " of "
                + Pattern.quote(end.group(1)) + " rows in \\d+").matcher(out).find(), out);
        run.removeFromLeaderboard(redis, keys);
    }

    @Test
    void aFailedBackfillExitsOneWithTheReason() throws Exception {
        EngagementRun run = runThreeDaysAgo(100);
        Instant[] range = run.eventRange();
        holdAnOpenWrite(run);
        BackfillCli cli = BackfillCli.start(TOKEN, "--from", range[0].toString(), "--to", range[1].toString());
        int exit = cli.exitCode(Duration.ofSeconds(60));
        String out = cli.output();
        assertEquals(1, exit, out);
        assertTrue(out.contains("running: waiting for older transactions"), out);
        assertTrue(Pattern.compile("backfill \\S+ failed: 0 of 0 rows .*transactions that started before the backfill"
                + " were still open after PT10S").matcher(out).find(), out);
    }

    @Test
    void ctrlCCancelsTheBackfillItFollows() throws Exception {
        EngagementRun run = runThreeDaysAgo(100);
        Instant[] range = run.eventRange();
        holdAnOpenWrite(run);
        BackfillCli cli = BackfillCli.start(TOKEN, "--from", range[0].toString(), "--to", range[1].toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> cli.output().contains("waiting for older transactions"));
        cli.interrupt();
        int exit = cli.exitCode(Duration.ofSeconds(30));
        String out = cli.output();
        assertEquals(1, exit, out);
        Matcher id = ID.matcher(out);
        assertTrue(id.find(), out);
        assertTrue(out.contains("backfill " + id.group(1) + " cancelled after 0 rows"), out);
        assertEquals("CANCELLED", state(id.group(1)));
    }

    @Test
    void cancelByIdAndStatusOfACancelledBackfill() throws Exception {
        EngagementRun run = runThreeDaysAgo(100);
        Instant[] range = run.eventRange();
        holdAnOpenWrite(run);
        BackfillCli started = BackfillCli.start(TOKEN, "--from", range[0].toString(), "--to", range[1].toString(),
                "--no-wait");
        assertEquals(0, started.exitCode(Duration.ofSeconds(30)), started.output());
        Matcher id = ID.matcher(started.output());
        assertTrue(id.find(), started.output());
        assertEquals("RUNNING", state(id.group(1)));

        BackfillCli cancel = BackfillCli.start(TOKEN, "--cancel", id.group(1));
        assertEquals(0, cancel.exitCode(Duration.ofSeconds(30)), cancel.output());
        assertTrue(cancel.output().startsWith(id.group(1) + " cancelled"), cancel.output());
        assertEquals("CANCELLED", state(id.group(1)));

        BackfillCli status = BackfillCli.start(TOKEN, "--status", id.group(1));
        assertEquals(1, status.exitCode(Duration.ofSeconds(30)), "a cancelled backfill is no success: "
                + status.output());
        assertTrue(status.output().contains("backfill " + id.group(1) + " cancelled"), status.output());

        BackfillCli refused = BackfillCli.start("wrong-token", "--list");
        assertEquals(1, refused.exitCode(Duration.ofSeconds(30)), refused.output());
        assertTrue(refused.output().contains("answered 401"), refused.output());
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Events three days old (out of other tests' time ranges), delivered before the backfill starts. */
    private EngagementRun runThreeDaysAgo(int events) {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(10);
        run.insertEvents(1, events, 10, 3 * 86_400, 60);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(run.expectedRows(), run.clickHouseRows(run.ids())));
        return run;
    }

    /** A transaction that wrote one of the run's rows and stays open: a backfill started now waits for it. */
    private void holdAnOpenWrite(EngagementRun run) {
        writer = pg.getConnection().await().indefinitely();
        Transaction tx = writer.begin().await().indefinitely();
        writer.preparedQuery("UPDATE engagement_events SET duration_ms = duration_ms WHERE id = $1")
                .execute(Tuple.of(java.util.Collections.min(run.ids()))).await().indefinitely();
        assertTrue(tx != null);
    }

    private static String state(String id) {
        return RestAssured.given().header("Authorization", "Bearer " + TOKEN).get("/admin/backfill/" + id)
                .then().statusCode(200).extract().jsonPath().getString("state");
    }

}
