package io.pandashop.pipeline.health;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Work is counted by the kind of thread it really ran on: a Vert.x event loop, a worker, or another thread. */
class StageThreadsTest {

    @Test
    void eachKindOfThreadIsToldApart() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StageThreads threads = new StageThreads(registry);
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<Void> onLoop = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                threads.running(StageThreads.Stage.REDIS_REQUEST);
                onLoop.complete(null);
            });
            onLoop.get(10, TimeUnit.SECONDS);
            vertx.executeBlocking(() -> {
                threads.running(StageThreads.Stage.REDIS_REQUEST);
                return null;
            }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            threads.running(StageThreads.Stage.REDIS_REQUEST); // the test's own thread
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (String thread : new String[] {"event-loop", "worker", "other"}) {
            assertEquals(1.0, registry.get("pipeline.stage.work").tag("stage", "redis-request").tag("thread", thread)
                    .counter().count(), thread);
        }
        assertEquals(0.0, registry.get("pipeline.stage.work").tag("stage", "decode").tag("thread", "worker")
                .counter().count(), "registered at 0 before any work");
    }
}
