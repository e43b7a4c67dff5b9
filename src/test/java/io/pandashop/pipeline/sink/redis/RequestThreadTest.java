package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.testsupport.PrivateRedis;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every script call of a write is built on a worker thread, never on the Vert.x event loop that completed the
 * previous call (building a call is the sink's CPU work: the event loop must stay free for I/O). Checked against a
 * real Redis of the test's own, with a write of several calls.
 */
class RequestThreadTest {

    @Test
    void everyCallIsBuiltOffTheEventLoop() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (PrivateRedis server = PrivateRedis.standalone()) {
            Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
            PipelineConfig config = ApplyChangesCallTest.config("threadtest", 1); // one change per call
            LeaderboardKeys keys = new LeaderboardKeys(config);
            List<String> builtOn = new CopyOnWriteArrayList<>();
            RedisLeaderboardSink sink = new RedisLeaderboardSink(ApplyChangesCallTest.dataSource(redis), keys,
                    StageThreads.unregistered(), config,
                    null, null) {
                @Override
                Request request(EnrichedBatch batch, int from, int to, Instant now) {
                    builtOn.add(Thread.currentThread().getName()
                            + (io.vertx.core.Context.isOnEventLoopThread() ? " (event loop)" : ""));
                    return super.request(batch, from, to, now);
                }
            };
            List<FactChange> changes = ApplyChangesCallTest.sampleChanges(Instant.now());
            sink.write(EnrichedBatch.of(changes)).await().indefinitely();
            assertEquals(changes.size(), builtOn.size(), "one call per change: " + builtOn);
            assertTrue(builtOn.stream().noneMatch(t -> t.endsWith("(event loop)")), "built on: " + builtOn);
        } finally {
            vertx.closeAndAwait();
        }
    }
}
