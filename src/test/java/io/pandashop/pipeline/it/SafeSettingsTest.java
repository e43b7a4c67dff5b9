package io.pandashop.pipeline.it;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * The settings exactness depends on (README, "Durability and the settings the pipeline needs") are read by the
 * service: a source table without REPLICA IDENTITY FULL, or a Redis that may evict, makes it not ready, naming the
 * table or the setting; put right, it is ready again.
 */
@QuarkusTest
class SafeSettingsTest {

    @Inject
    Pool pg;
    @Inject
    RedisDataSource redis;

    private static String readiness() {
        return RestAssured.given().get("/q/health/ready").asString();
    }

    private static boolean ready() {
        return RestAssured.given().get("/q/health/ready").statusCode() == 200;
    }

    @Test
    void aSourceTableWithoutFullReplicaIdentityIsNamed() {
        await().atMost(Duration.ofSeconds(60)).until(SafeSettingsTest::ready);
        try {
            pg.query("ALTER TABLE engagement_events REPLICA IDENTITY DEFAULT").execute().await().indefinitely();
            await().atMost(Duration.ofSeconds(30)).until(() -> !ready()
                    && readiness().contains("ALTER TABLE engagement_events REPLICA IDENTITY FULL"));
        } finally {
            pg.query("ALTER TABLE engagement_events REPLICA IDENTITY FULL").execute().await().indefinitely();
        }
        await().atMost(Duration.ofSeconds(30)).until(SafeSettingsTest::ready);
    }

    @Test
    void aRedisThatMayEvictIsNamed() {
        await().atMost(Duration.ofSeconds(60)).until(SafeSettingsTest::ready);
        try {
            redis.execute("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            await().atMost(Duration.ofSeconds(30)).until(() -> !ready()
                    && readiness().contains("maxmemory-policy allkeys-lru"));
        } finally {
            redis.execute("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
        await().atMost(Duration.ofSeconds(30)).until(SafeSettingsTest::ready);
    }
}
