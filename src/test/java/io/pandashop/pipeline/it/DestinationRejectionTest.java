package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes a destination refuses (README, "Failure policy"): a write is split until the refused changes are isolated,
 * only those are parked with the destination's answer and their source position, and the rest is written.
 */
@QuarkusTest
class DestinationRejectionTest {

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    /**
     * 2,000 events over 150 days in one transaction: one insert would touch 150 partitions, more than ClickHouse
     * takes (max_partitions_per_insert_block, 100). Split by partition, every row lands and nothing is parked.
     */
    @Test
    void anInsertSpanning150DaysLandsWhole() {
        double refusedBefore = Stack.metric("pipeline_dead_letter_total", "kind=\"rejected\"");
        double refusedWritesBefore = Stack.metric("pipeline_sink_refused_writes_total", "clickhouse");
        String run = UUID.randomUUID().toString();
        pg.preparedQuery("""
                INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                SELECT NULL, gen_random_uuid(), 'play',
                       -- noon UTC of one of the 150 days before today, plus at most 2,000 s: always 150 dates
                       date_trunc('day', now(), 'UTC') - (i % 150 + 1) * interval '1 day' + interval '12 hours'
                           + i * interval '1 second',
                       1000, 'web', jsonb_build_object('run', $1::text)
                FROM generate_series(1, 2000) i""").execute(Tuple.of(run)).await().indefinitely();
        Set<Long> ids = new HashSet<>();
        for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE raw_payload->>'run' = $1")
                .execute(Tuple.of(run)).await().indefinitely()) {
            ids.add(r.getLong("id"));
        }
        assertEquals(2000, ids.size());
        long min = ids.stream().min(Long::compare).orElseThrow();
        long max = ids.stream().max(Long::compare).orElseThrow();
        await().atMost(Duration.ofSeconds(90)).until(() -> clickHouse.queryAll(
                "SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE event_id BETWEEN " + min
                        + " AND " + max).get(0).getLong("n") == 2000);
        assertEquals(150L, clickHouse.queryAll("SELECT toInt64(uniqExact(toDate(event_ts))) AS n FROM "
                + "app.enriched_engagements_current WHERE event_id BETWEEN " + min + " AND " + max).get(0).getLong("n"));
        assertEquals(refusedBefore, Stack.metric("pipeline_dead_letter_total", "kind=\"rejected\""), "nothing parked");
        // Split by partition before it is sent, not rescued by bisecting a refused insert.
        assertEquals(refusedWritesBefore, Stack.metric("pipeline_sink_refused_writes_total", "clickhouse"),
                "ClickHouse refused no write");
    }

    /**
     * Redis refuses one change (its state key holds a string, so the script fails with WRONGTYPE): only that change
     * is parked, with Redis's answer; the other 20 changes of the same transaction are applied, and ClickHouse and
     * the external system take all 21.
     */
    @Test
    void aRedisScriptErrorOnOneChangeParksOnlyThatChange() throws Exception {
        // An event id alone in its state hash, so the broken key touches no other event.
        long refused = (7_000_000L + ThreadLocalRandom.current().nextLong(1_000_000L)) * LeaderboardKeys.EVENTS_PER_STATE_HASH;
        String stateKey = keys.eventStates(refused);
        redis.value(String.class).set(stateKey, "not a hash");
        double refusedBefore = Stack.metric("pipeline_dead_letter_total", "kind=\"rejected\"");
        String run = UUID.randomUUID().toString();
        try {
            pg.preparedQuery("""
                    INSERT INTO engagement_events (id, content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
                    SELECT CASE WHEN i = 0 THEN $2 ELSE nextval('engagement_events_id_seq') END, NULL, gen_random_uuid(),
                           'click', now(), 1000, 'web', jsonb_build_object('run', $1::text)
                    FROM generate_series(0, 20) i""").execute(Tuple.of(run, refused)).await().indefinitely();
            Set<Long> others = new HashSet<>();
            for (Row r : pg.preparedQuery("SELECT id FROM engagement_events WHERE raw_payload->>'run' = $1 AND id <> $2")
                    .execute(Tuple.of(run, refused)).await().indefinitely()) {
                others.add(r.getLong("id"));
            }
            assertEquals(20, others.size());

            await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_dead_letter_total",
                    "kind=\"rejected\"") >= refusedBefore + 1);
            Map<String, DeadLetters.Parked> parked = DeadLetters.read(k -> k.equals(Long.toString(refused)), 1);
            DeadLetters.Parked p = parked.get(Long.toString(refused));
            assertNotNull(p, "the refused change is on the dead-letter topic");
            assertEquals("redis", p.header("dead-letter-destination"));
            assertTrue(p.header("dead-letter-reason").contains("WRONGTYPE"), p.header("dead-letter-reason"));
            assertTrue(Long.parseLong(p.header("dead-letter-lsn")) > 0, "its source position");
            assertEquals(Stack.eventsTopic(), p.header("dead-letter-topic"));
            assertTrue(new String(p.value()).contains("\"idempotency_key\""), "the change's envelope");

            for (long id : others) {
                Arrivals.awaitEverywhere(clickHouse, redis, keys, id);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Arrivals.clickHouseRows(clickHouse, refused) == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> ExternalOutageTest.delivered(Set.of(refused))
                    .contains(refused));
            assertEquals(1, (int) (Stack.metric("pipeline_dead_letter_total", "kind=\"rejected\"") - refusedBefore),
                    "only the refused change was parked");
        } finally {
            redis.key().del(stateKey);
        }
        assertNull(Arrivals.redisState(redis, keys, refused));
    }
}
