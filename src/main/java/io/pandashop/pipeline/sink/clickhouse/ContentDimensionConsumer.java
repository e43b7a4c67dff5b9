package io.pandashop.pipeline.sink.clickhouse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.FetchBuffers;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.pandashop.pipeline.cdc.StorableRange;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.health.DependencyRetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consumes content changes in the shared group and keeps app.content_dim current, one poll at a time; parks what
 * it cannot read. A ClickHouse outage is retried until ClickHouse is back, so the channel never fails.
 */
@ApplicationScoped
public class ContentDimensionConsumer {

    private final DebeziumDecoder decoder;
    private final ClickHouseContentSink sink;
    private final DeadLetterPublisher deadLetters;
    private final DependencyRetry retry;
    private final Counter received;

    public ContentDimensionConsumer(DebeziumDecoder decoder, ClickHouseContentSink sink,
            DeadLetterPublisher deadLetters, DependencyRetry retry, MeterRegistry registry) {
        this.decoder = decoder;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.received = registry.counter("pipeline.records.received", "table", "content");
    }

    @Incoming(Channels.CONTENT_DIM)
    public Uni<Void> apply(KafkaRecordBatch<byte[], byte[]> batch) {
        List<Change<ContentRow>> changes = new ArrayList<>(batch.getRecords().size());
        Map<KafkaRecord<byte[], byte[]>, String> malformed = new LinkedHashMap<>();
        for (KafkaRecord<byte[], byte[]> record : batch.getRecords()) {
            received.increment();
            FetchBuffers.release(record); // the poll is held while ClickHouse is down
            try {
                Change<ContentRow> change = decoder.decodeContent(record.getPayload());
                if (change != null) {
                    StorableRange.require("publish_ts", change.latest().publishTs());
                    changes.add(change);
                }
            } catch (MalformedChangeException e) {
                malformed.put(record, e.getMessage());
            }
        }
        return deadLetters.parkAll(malformed)
                .chain(() -> retry.untilAvailable("clickhouse", () -> sink.write(changes)))
                .chain(() -> Uni.createFrom().completionStage(batch::ack));
    }
}
