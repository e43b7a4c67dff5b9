package io.pandashop.pipeline.content;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes "a changed content row applies to the events processed after it" hold when the change and the event
 * arrive on their two topics at the same moment: before a batch of events is enriched, it waits until this
 * instance's content cache has applied everything the content topic held at that time (Debezium writes a
 * content change before any later event). Waits are short (the cache consumer does almost no work) and bounded.
 */
@ApplicationScoped
public class ContentCacheBarrier {

    private static final Logger LOG = Logger.getLogger(ContentCacheBarrier.class);

    private final String topic;
    private final Admin admin;
    private final long timeoutNanos;
    private final Map<Integer, Long> applied = new ConcurrentHashMap<>();
    private final Timer waits;
    private final Counter timeouts;
    private volatile List<TopicPartition> partitions;

    public ContentCacheBarrier(PipelineConfig config, MeterRegistry registry,
            @ConfigProperty(name = "mp.messaging.incoming.content-cache.topic") String topic, Admin admin) {
        this.topic = topic;
        this.admin = admin;
        this.timeoutNanos = config.content().barrierTimeout().toNanos();
        this.waits = Timer.builder("pipeline.content.barrier.wait").register(registry);
        this.timeouts = registry.counter("pipeline.content.barrier.timeouts");
    }

    /** The cache consumer applied the record at this offset. */
    void applied(int partition, long offset) {
        applied.merge(partition, offset + 1, Math::max);
    }

    /** Blocks (worker thread) until the cache is caught up with the content topic, or the timeout passed. */
    public void awaitCaughtUp() {
        long start = System.nanoTime();
        try {
            Map<TopicPartition, Long> ends = offsets(OffsetSpec.latest());
            if (ends.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> starts = null;
            while (true) {
                boolean behind = false;
                for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                    Long next = applied.get(end.getKey().partition());
                    if (next == null && starts == null) {
                        starts = offsets(OffsetSpec.earliest());
                    }
                    long from = next != null ? next : starts.getOrDefault(end.getKey(), 0L);
                    behind |= from < end.getValue();
                }
                if (!behind) {
                    return;
                }
                if (System.nanoTime() - start > timeoutNanos) {
                    timeouts.increment();
                    LOG.debugf("content cache still behind %s after the barrier timeout; going on", topic);
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The barrier narrows a race; it must never stop the pipeline. Kafka itself is checked by health.
            timeouts.increment();
            LOG.debugf("content cache barrier skipped: %s", e.getMessage());
        } finally {
            waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private Map<TopicPartition, Long> offsets(OffsetSpec spec) throws Exception {
        List<TopicPartition> tps = partitions();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartition tp : tps) {
            request.put(tp, spec);
        }
        Map<TopicPartition, Long> result = new HashMap<>();
        admin.listOffsets(request).all().get(2, TimeUnit.SECONDS)
                .forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private List<TopicPartition> partitions() throws Exception {
        List<TopicPartition> known = partitions;
        if (known == null) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(2, TimeUnit.SECONDS);
            known = description.get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            partitions = known;
        }
        return known;
    }
}
