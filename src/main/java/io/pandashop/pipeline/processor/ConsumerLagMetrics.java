package io.pandashop.pipeline.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * pipeline_consumer_lag{topic,partition}: records on the engagement topic that the consumer group has not
 * committed yet, read from the broker every 10 s (the Kafka client's own meters are off: too many series). It is
 * what an operator alerts on when a destination or the service falls behind.
 */
@ApplicationScoped
public class ConsumerLagMetrics {

    private static final Logger LOG = Logger.getLogger(ConsumerLagMetrics.class);

    private final Admin admin;
    private final MeterRegistry registry;
    private final String topic;
    private final String group;
    private final Map<Integer, AtomicLong> lag = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    public ConsumerLagMetrics(Admin admin, MeterRegistry registry,
            @ConfigProperty(name = "mp.messaging.incoming.engagement-events.topic") String topic,
            @ConfigProperty(name = "mp.messaging.incoming.engagement-events.group.id") String group) {
        this.admin = admin;
        this.registry = registry;
        this.topic = topic;
        this.group = group;
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "consumer-lag");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 2, 10, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void refresh() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(5, TimeUnit.SECONDS);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long value = Math.max(0, ends.get(tp).offset() - (c == null ? 0 : c.offset()));
                gauge(tp.partition()).set(value);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Kafka down or the topic not there yet: readiness says so; keep the last values
            LOG.debugf("consumer lag not refreshed: %s", e.getMessage());
        }
    }

    private AtomicLong gauge(int partition) {
        return lag.computeIfAbsent(partition, p -> registry.gauge("pipeline.consumer.lag",
                Tags.of("topic", topic, "partition", Integer.toString(p)), new AtomicLong()));
    }
}
