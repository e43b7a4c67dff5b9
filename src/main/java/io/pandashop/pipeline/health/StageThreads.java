package io.pandashop.pipeline.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import jakarta.inject.Singleton;
import org.jboss.threads.JBossThread;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each stage's CPU work runs. Decoding and enrichment, and each destination's building of its requests, belong
 * on the worker pool: on a Vert.x event loop they hold up the replies of every client sharing that loop, and on the
 * Kafka consumer's thread they hold up polling. Each piece of work is counted by stage and kind of thread
 * ({@code pipeline_stage_work_total{stage,thread}}, thread = worker, event-loop or other), and the first piece of a
 * stage off the worker pool is logged.
 */
@Singleton
public class StageThreads {

    private static final Logger LOG = Logger.getLogger(StageThreads.class);

    /** The stages that report their work. */
    public enum Stage {
        DECODE, ENRICH, CLICKHOUSE_ROWS, CLICKHOUSE_INSERT, REDIS_REQUEST, EXTERNAL_BODY;

        private final String tag = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

        /** The metric's stage tag. */
        public String tag() {
            return tag;
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<Stage> warned = ConcurrentHashMap.newKeySet();

    public StageThreads(MeterRegistry registry) {
        this.registry = registry;
        for (Stage stage : Stage.values()) {
            counter(stage, "worker"); // present at 0 from the start: "never ran" and "ran nowhere wrong" differ
            counter(stage, "event-loop");
            counter(stage, "other");
        }
    }

    /** For tests that build one stage by hand: counts into a registry of its own. */
    public static StageThreads unregistered() {
        return new StageThreads(new SimpleMeterRegistry());
    }

    /** Records that a piece of {@code stage}'s work runs on the calling thread. */
    public void running(Stage stage) {
        String thread = Context.isOnEventLoopThread() ? "event-loop"
                // Quarkus's worker pool runs JBoss threads; Vert.x's own workers count too
                : Thread.currentThread() instanceof JBossThread || Context.isOnWorkerThread() ? "worker" : "other";
        counter(stage, thread).increment();
        if (!"worker".equals(thread) && warned.add(stage)) {
            LOG.warnf("%s work ran on %s (%s), not on the worker pool", stage.tag, Thread.currentThread().getName(),
                    thread);
        }
    }

    private Counter counter(Stage stage, String thread) {
        return counters.computeIfAbsent(stage.tag + "|" + thread, k -> Counter.builder("pipeline.stage.work")
                .description("pieces of a stage's CPU work (a batch, a request), by the kind of thread they ran on")
                .tag("stage", stage.tag).tag("thread", thread).register(registry));
    }
}
