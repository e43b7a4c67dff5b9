package io.pandashop.pipeline.it;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The external system's answers, classified (README, "Failure policy"): 400/422 refuse content, so a refused batch
 * is split until the refused events are isolated and only those are dead-lettered; 413 halves the batch until it is
 * taken; 401 (a rotated token) is an outage, waited out, and every event is delivered afterwards.
 */
@QuarkusTest
class ExternalRejectionTest {

    private static final String STUB_ID = "0f4b7c1e-3d2a-4c5b-9e8f-7a6b5c4d3e2f";

    @Inject
    Pool pg;

    @AfterEach
    void acceptAgain() {
        RestAssured.given().delete(Stack.externalAdmin() + "/mappings/" + STUB_ID);
    }

    private static void stub(String request, int status) {
        RestAssured.given().contentType("application/json").body("""
                {"id": "%s", "priority": 1, "request": %s, "response": {"status": %d, "body": "refused by test"}}"""
                .formatted(STUB_ID, request, status)).post(Stack.externalAdmin() + "/mappings").then().statusCode(201);
    }

    private static double refusedByExternal() {
        return Stack.metric("pipeline_dead_letter_total", "kind=\"rejected\"", "external-parking");
    }

    @Test
    void onlyTheRefusedEventsAreDeadLetteredAndTheRestDelivered() {
        String marker = "refuse-me-" + UUID.randomUUID();
        stub("{\"method\": \"POST\", \"urlPath\": \"/events\", \"bodyPatterns\": [{\"contains\": \"" + marker + "\"}]}",
                400);
        double before = refusedByExternal();
        String run = UUID.randomUUID().toString();
        // 30 events in one transaction, so they travel in one batch; 2 of them carry what the receiver refuses.
        pg.preparedQuery("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT NULL, gen_random_uuid(), 'click', now(), 1, 'web',
                       CASE WHEN i IN (7, 23) THEN jsonb_build_object('run', $1::text, 'm', $2::text)
                            ELSE jsonb_build_object('run', $1::text) END
                FROM generate_series(1, 30) i""").execute(Tuple.of(run, marker)).await().indefinitely();
        Set<Long> refused = ids("raw_payload->>'run' = $1 AND raw_payload ? 'm'", run);
        Set<Long> taken = ids("raw_payload->>'run' = $1 AND NOT raw_payload ? 'm'", run);
        assertEquals(2, refused.size());

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertEquals(taken, ExternalOutageTest.delivered(taken)));
        await().atMost(Duration.ofSeconds(60)).until(() -> refusedByExternal() >= before + refused.size());
        Set<String> keys = refused.stream().map(String::valueOf).collect(Collectors.toSet());
        Map<String, DeadLetters.Parked> parked = DeadLetters.read(keys::contains, keys.size());
        assertEquals(keys, parked.keySet(), "exactly the refused events are on the dead-letter topic");
        for (DeadLetters.Parked p : parked.values()) {
            assertTrue(p.header("dead-letter-reason").contains("HTTP 400"), p.header("dead-letter-reason"));
            assertEquals("external", p.header("dead-letter-destination"));
            assertTrue(new String(p.value()).contains(marker), "the envelope is kept whole");
        }
        assertEquals(refused.size(), (int) (refusedByExternal() - before), "only the refused ones were dead-lettered");
    }

    @Test
    void aBatchTooLargeIsHalvedUntilTaken() {
        // Bodies over 40 kB are refused with 413: a batch of 300 events is several times that.
        stub("{\"method\": \"POST\", \"urlPath\": \"/events\", \"bodyPatterns\": [{\"matches\": \"(?s).{40000,}\"}]}", 413);
        double before = refusedByExternal();
        String run = UUID.randomUUID().toString();
        pg.preparedQuery("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT NULL, gen_random_uuid(), 'play', now(), 1000, 'web', jsonb_build_object('run', $1::text)
                FROM generate_series(1, 300) i""").execute(Tuple.of(run)).await().indefinitely();
        Set<Long> ids = ids("raw_payload->>'run' = $1", run);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertEquals(ids, ExternalOutageTest.delivered(ids)));
        assertEquals(before, refusedByExternal(), "nothing dead-lettered: every event fits a smaller batch");
    }

    @Test
    void unauthorizedForTwentySecondsIsWaitedOutAndEverythingIsDelivered() throws Exception {
        stub("{\"method\": \"POST\", \"urlPath\": \"/events\"}", 401);
        long start = System.currentTimeMillis();
        double before = refusedByExternal();
        String run = UUID.randomUUID().toString();
        pg.preparedQuery("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT NULL, gen_random_uuid(), 'pause', now(), 10, 'tv', jsonb_build_object('run', $1::text)
                FROM generate_series(1, 100) i""").execute(Tuple.of(run)).await().indefinitely();
        Set<Long> ids = ids("raw_payload->>'run' = $1", run);
        // The parked events' redelivery names the 401 as what it waits for.
        await().atMost(Duration.ofSeconds(60)).until(() -> RestAssured.given().get("/q/health/ready").asString()
                .contains("HTTP 401"));
        assertEquals(Set.of(), ExternalOutageTest.delivered(ids), "the receiver took nothing while it answered 401");
        Thread.sleep(Math.max(0, 20_000 - (System.currentTimeMillis() - start))); // the outage lasts 20 s
        acceptAgain();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertEquals(ids, ExternalOutageTest.delivered(ids)));
        assertEquals(before, refusedByExternal(), "an authentication failure is an outage, never bad data");
    }

    private Set<Long> ids(String where, String run) {
        Set<Long> ids = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE " + where).execute(Tuple.of(run))
                .await().indefinitely()) {
            ids.add(r.getLong("id"));
        }
        return ids;
    }
}
