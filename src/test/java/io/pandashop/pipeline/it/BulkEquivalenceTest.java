package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

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
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    @Test
    void clickHouseAndRedisEqualWhatPostgresComputes() {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        run.insertContent(300);
        run.insertEvents(1, 3000, 300);
        run.exec("UPDATE engagement_events SET duration_ms = duration_ms / 3 + 7 WHERE {ours} AND id % 7 = 0");
        run.exec("UPDATE engagement_events SET event_ts = event_ts - interval '1 hour' WHERE {ours} AND id % 13 = 0");
        run.exec("UPDATE engagement_events SET content_id = NULL WHERE {ours} AND id % 17 = 0");
        Set<Long> ids = run.ids();
        run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 19 = 0");

        Map<Long, String> expected = run.expectedRows();
        assertEquals(3000, ids.size());
        assertEquals(ids.stream().filter(id -> id % 19 != 0).count(), expected.size(), "every 19th event deleted");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(expected.keySet(), run.clickHouseRows(ids).keySet()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(run.expectedScores(), run.leaderboard(redis, keys)));
    }
}
