package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A destination switched off by configuration leaves the topology: the others get every change, offsets are
 * committed without waiting for it, and it receives nothing.
 */
@QuarkusTest
@TestProfile(DestinationSwitchTest.ExternalOff.class)
class DestinationSwitchTest {

    /** The test profile with the external destination off. */
    public static class ExternalOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pipeline.destinations.external.enabled", "false");
        }
    }

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    @Test
    void theOtherDestinationsGetEverythingAndOffsetsDoNotWait() throws Exception {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(10);
        run.insertEvents(1, 500, 10);
        Set<Long> ids = run.ids();
        Map<Long, String> expected = run.expectedRows();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(run.expectedScores(), run.leaderboard(redis, keys)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Stack.caughtUp(Stack.consumerGroup(), Stack.eventsTopic()));
        assertEquals(Set.of(), ExternalOutageTest.delivered(ids), "the external system got none of them");
        assertEquals(0.0, Stack.metric("pipeline_sink_changes_total", "destination=\"external\""));
    }
}
