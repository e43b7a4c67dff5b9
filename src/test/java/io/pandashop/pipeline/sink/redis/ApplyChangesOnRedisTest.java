package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.cdc.Op;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.FactChange;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.ResponseType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.pandashop.pipeline.testsupport.PrivateRedis;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.pandashop.pipeline.sink.redis.ApplyChangesCallTest.PODCAST;
import static io.pandashop.pipeline.sink.redis.ApplyChangesCallTest.VIDEO;
import static io.pandashop.pipeline.sink.redis.ApplyChangesCallTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The script on a real Redis, through the sink's own write: a standalone server and a three-master Redis Cluster of
 * the test's own (PrivateRedis), so the build never touches the shared test stack's Redis.
 */
class ApplyChangesOnRedisTest {

    private Vertx vertx;

    @AfterEach
    void close() {
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    @Test
    void onStandaloneRedis() throws Exception {
        try (PrivateRedis redis = PrivateRedis.standalone()) {
            scenario(client(RedisClientType.STANDALONE, redis.url()));
        }
    }

    @Test
    void onRedisCluster() throws Exception {
        try (PrivateRedis redis = PrivateRedis.cluster()) {
            scenario(client(RedisClientType.CLUSTER, redis.url()));
        }
    }

    private Redis client(RedisClientType type, String url) {
        vertx = Vertx.vertx();
        return Redis.createClient(vertx, new RedisOptions().setType(type).setConnectionString(url));
    }

    private void scenario(Redis redis) {
        String prefix = "scripttest" + ThreadLocalRandom.current().nextInt(1_000_000);
        for (int perCall : new int[] { 1000, 2 }) { // one call, and calls of 2 changes pipelined one after another
            String p = prefix + "-" + perCall;
            PipelineConfig config = ApplyChangesCallTest.config(p, perCall);
            LeaderboardKeys keys = new LeaderboardKeys(config);
            RedisLeaderboardSink sink = ApplyChangesCallTest.sink(redis, keys, config);
            Instant now = Instant.now();
            List<FactChange> changes = ApplyChangesCallTest.sampleChanges(now);

            sink.write(EnrichedBatch.of(changes)).await().indefinitely();
            // 1000: created then deleted (retracted); 1001: created, then moved to a newer bucket (retracted from the
            // first); 1024: a read older than the window, of nothing remembered (nothing); 900000: no content.
            assertEquals(Map.of(VIDEO.toString(), 2000L), leaderboard(redis, keys), p);
            assertEquals("104||" + PODCAST + "|0", state(redis, keys, 1000));
            assertEquals("102|" + keys.leaderboard(keys.bucketOf(now.minusSeconds(5))) + "|" + VIDEO + "|2000",
                    state(redis, keys, 1001));
            assertNull(state(redis, keys, 1024));
            assertEquals("103|||0", state(redis, keys, 900_000));
            Map<String, Long> streams = Map.of("podcast", 2L, "video", 2L, "none", 1L);
            assertEquals(streams, streamLengths(redis, keys));
            assertTrue(ttl(redis, keys.eventStates(1000)) > 3500, "states live for the dedup horizon");
            assertTrue(ttl(redis, keys.leaderboard(keys.bucketOf(now.minusSeconds(5)))) > 600, "a bucket expires");

            // A replay changes nothing.
            sink.write(EnrichedBatch.of(changes)).await().indefinitely();
            assertEquals(Map.of(VIDEO.toString(), 2000L), leaderboard(redis, keys));
            assertEquals(streams, streamLengths(redis, keys));

            // A state written under the key name of earlier versions (keys renamed, states not rewritten) is
            // retracted from the renamed bucket; a state whose bucket has left the window retracts nothing.
            long bucket = keys.bucketOf(now.minusSeconds(20));
            String oldName = p + ":lb:" + bucket;
            send(redis, Request.cmd(Command.HSET).arg(keys.eventStates(5000)).arg("5000")
                    .arg("50|" + oldName + "|" + PODCAST + "|300").arg("5001")
                    .arg("50|" + keys.leaderboard(bucket - 1000) + "|" + PODCAST + "|700"));
            send(redis, Request.cmd(Command.ZINCRBY).arg(keys.leaderboard(bucket)).arg(300).arg(PODCAST.toString()));
            send(redis, Request.cmd(Command.ZINCRBY).arg(keys.leaderboard(bucket - 1000)).arg(700)
                    .arg(PODCAST.toString()));
            sink.write(EnrichedBatch.of(List.of(
                    new FactChange(5000, Op.UPDATE, 60, now.toEpochMilli(), 60,
                            event(5000, PODCAST, "podcast", now.minusSeconds(2), "1.00"), null),
                    new FactChange(5001, Op.UPDATE, 61, now.toEpochMilli(), 61,
                            event(5001, PODCAST, "podcast", now.minusSeconds(2), "2.00"), null))))
                    .await().indefinitely();
            assertEquals(Map.of(VIDEO.toString(), 2000L, PODCAST.toString(), 300L), leaderboard(redis, keys),
                    "300 retracted, 100 + 200 added");
            assertEquals(700, send(redis, Request.cmd(Command.ZSCORE).arg(keys.leaderboard(bucket - 1000))
                    .arg(PODCAST.toString())).toDouble(), "a bucket outside the window is not touched");

            // A change Redis refuses (its state hash holds a string): WRONGTYPE, a refusal, and the call changed
            // nothing, not even the other change's stream entry (states are read before anything is written).
            long refused = 7_000L * LeaderboardKeys.EVENTS_PER_STATE_HASH;
            send(redis, Request.cmd(Command.SET).arg(keys.eventStates(refused)).arg("not a hash"));
            Map<String, Long> before = streamLengths(redis, keys);
            RejectedWrite rejected = assertThrows(RejectedWrite.class, () -> sink.write(EnrichedBatch.of(List.of(
                            new FactChange(6000, Op.CREATE, 70, now.toEpochMilli(), 70,
                                    event(6000, VIDEO, "video", now, "5.00"), null),
                            new FactChange(refused, Op.CREATE, 71, now.toEpochMilli(), 71,
                                    event(refused, VIDEO, "video", now, "5.00"), null))))
                    .await().indefinitely());
            assertTrue(rejected.answer().contains("WRONGTYPE"), rejected.answer());
            assertEquals(before, streamLengths(redis, keys));
            assertNull(state(redis, keys, 6000));
        }
    }

    private static Map<String, Long> leaderboard(Redis redis, LeaderboardKeys keys) {
        List<String> window = keys.window(Instant.now(), keys.windowSeconds());
        Request union = Request.cmd(Command.ZUNION).arg(window.size());
        window.forEach(union::arg);
        Response reply = send(redis, union.arg("WITHSCORES"));
        Map<String, Long> scores = new HashMap<>();
        if (reply.size() > 0 && reply.get(0).type() == ResponseType.MULTI) { // RESP3: [[member, score], ...]
            for (Response pair : reply) {
                scores.put(pair.get(0).toString(), Math.round(pair.get(1).toDouble()));
            }
        } else {
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                scores.put(reply.get(i).toString(), Math.round(reply.get(i + 1).toDouble()));
            }
        }
        return scores;
    }

    private static String state(Redis redis, LeaderboardKeys keys, long id) {
        Response reply = send(redis, Request.cmd(Command.HGET).arg(keys.eventStates(id)).arg(id));
        return reply == null ? null : reply.toString();
    }

    private static Map<String, Long> streamLengths(Redis redis, LeaderboardKeys keys) {
        Map<String, Long> lengths = new HashMap<>();
        for (String type : List.of("podcast", "video", "newsletter", "none")) {
            long n = send(redis, Request.cmd(Command.XLEN).arg(keys.stream(type))).toLong();
            if (n > 0) {
                lengths.put(type, n);
            }
        }
        return lengths;
    }

    private static long ttl(Redis redis, String key) {
        return send(redis, Request.cmd(Command.TTL).arg(key)).toLong();
    }

    private static Response send(Redis redis, Request request) {
        return redis.send(request).await().indefinitely();
    }
}
