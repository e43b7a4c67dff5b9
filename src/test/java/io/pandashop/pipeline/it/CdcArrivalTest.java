package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A row inserted in PostgreSQL travels through Debezium and Kafka, is counted by the service and arrives in every
 * destination: this row, found by its id, not any traffic.
 */
@QuarkusTest
class CdcArrivalTest {


    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    static double receivedSoFar() {
        return Stack.metric("pipeline_records_received_total", "table=\"engagement_events\"");
    }

    @Test
    void insertedRowIsConsumedAndCounted() {
        double before = receivedSoFar();
        long id = pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, "
                        + "duration_ms, device) VALUES (NULL, $1, 'click', now(), NULL, 'web') RETURNING id")
                .execute(Tuple.of(UUID.randomUUID())).await().indefinitely().iterator().next().getLong("id");
        Arrivals.awaitEverywhere(clickHouse, redis, keys, id);
        assertTrue(receivedSoFar() >= before + 1, "counted");
        RestAssured.given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", org.hamcrest.Matchers.hasItems("Database connections health check",
                        "External system", "Redis connection health check",
                        "Reactive PostgreSQL connections health check", "SmallRye Reactive Messaging - readiness check",
                        "Pipeline dependencies"))
                // ClickHouse is the Agroal datasource "clickhouse"
                .body("checks.find { it.name == 'Database connections health check' }.data.clickhouse",
                        org.hamcrest.Matchers.equalTo("UP"));
        RestAssured.given().get("/q/health/live").then().statusCode(200);
    }
}
