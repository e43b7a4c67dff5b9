package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * While the external system answers 503, events still reach ClickHouse at once and are parked; when it is back,
 * the parked events are delivered from the parking topic.
 */
@QuarkusTest
class ExternalOutageTest {

    private static final String OUTAGE_STUB = """
            {"id": "5d6c1f38-7b0e-4e53-9f4a-2f7f6f3a0c11", "priority": 1,
             "request": {"method": "POST", "urlPath": "/events"},
             "response": {"status": 503, "body": "down for maintenance"}}""";

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;


    static double parkedSoFar() {
        return Stack.metric("pipeline_external_parked_total", "");
    }

    @AfterEach
    void endOutage() {
        RestAssured.given().delete(Stack.externalAdmin() + "/mappings/5d6c1f38-7b0e-4e53-9f4a-2f7f6f3a0c11");
    }

    @Test
    void outageParksEventsWithoutStallingAndDeliversThemLater() throws Exception {
        RestAssured.given().contentType("application/json").body(OUTAGE_STUB)
                .post(Stack.externalAdmin() + "/mappings").then().statusCode(201);
        double parkedBefore = parkedSoFar();
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ids.add(pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, "
                            + "duration_ms, device) VALUES (NULL, $1, 'pause', now(), $2, 'tv') RETURNING id")
                    .execute(Tuple.of(UUID.randomUUID(), i * 100)).await().indefinitely().iterator().next()
                    .getLong("id"));
        }
        String idList = ids.toString().replace("[", "").replace("]", "");
        await().atMost(Duration.ofSeconds(60)).until(() -> clickHouse.queryAll(
                "SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE event_id IN (" + idList + ")")
                .get(0).getLong("n") == ids.size());
        await().atMost(Duration.ofSeconds(60)).until(() -> parkedSoFar() >= parkedBefore + ids.size());
        // The service did try them (the receiver answered 503 to requests carrying them), and none was taken.
        await().atMost(Duration.ofSeconds(60)).until(() -> !attempted(ids, 503).isEmpty());
        assertEquals(Set.of(), delivered(ids), "nothing was taken during the outage");

        endOutage();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertEquals(ids, delivered(ids)));
    }

    /** Ids of these events the receiver answered 2xx for. */
    static Set<Long> delivered(Set<Long> ids) throws Exception {
        return attempted(ids, 200);
    }

    /** Ids of these events in requests the receiver answered with {@code status}. */
    static Set<Long> attempted(Set<Long> ids, int status) throws Exception {
        String body = RestAssured.given().get(Stack.externalAdmin() + "/requests?limit=100000").then().statusCode(200)
                .extract().asString();
        Set<Long> seen = new HashSet<>();
        for (JsonNode served : Stack.JSON.readTree(body).path("requests")) {
            if (served.path("responseDefinition").path("status").asInt() != status) {
                continue;
            }
            for (JsonNode e : Stack.JSON.readTree(served.path("request").path("body").asText())) {
                if (ids.contains(e.get("event_id").asLong())) {
                    seen.add(e.get("event_id").asLong());
                }
            }
        }
        return seen;
    }
}
