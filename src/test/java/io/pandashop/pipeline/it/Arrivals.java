package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;

import java.time.Duration;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/** Waits until an event is in each destination: its ClickHouse row, its Redis state, its delivery to the receiver. */
final class Arrivals {

    private Arrivals() {
    }

    static long clickHouseRows(Client clickHouse, long eventId) {
        return clickHouse.queryAll("SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE event_id = "
                + eventId).get(0).getLong("n");
    }

    /** The event's last applied change as the Redis script remembers it ("lsn|..."), or null. */
    static String redisState(RedisDataSource redis, LeaderboardKeys keys, long eventId) {
        return redis.hash(String.class).hget(keys.eventStates(eventId), Long.toString(eventId));
    }

    static void awaitEverywhere(Client clickHouse, RedisDataSource redis, LeaderboardKeys keys, long eventId) {
        await().atMost(Duration.ofSeconds(90)).until(() -> clickHouseRows(clickHouse, eventId) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> redisState(redis, keys, eventId) != null);
        await().atMost(Duration.ofSeconds(60)).until(() -> ExternalOutageTest.delivered(Set.of(eventId))
                .contains(eventId));
    }
}
