package io.pandashop.pipeline.content;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.ingest.Acknowledgement;
import io.pandashop.pipeline.sink.clickhouse.ClickHouseContentSink;
import io.pandashop.pipeline.sink.clickhouse.StorableRange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.common.annotation.Blocking;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.ArrayList;
import java.util.List;

/** Consumes content changes in the shared group and keeps app.content_dim current; parks what it cannot read. */
@ApplicationScoped
public class ContentDimensionUpdater {

    private final DebeziumDecoder decoder;
    private final ClickHouseContentSink sink;
    private final DeadLetterPublisher deadLetters;
    private final Counter received;

    public ContentDimensionUpdater(DebeziumDecoder decoder, ClickHouseContentSink sink,
            DeadLetterPublisher deadLetters, MeterRegistry registry) {
        this.decoder = decoder;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.received = registry.counter("pipeline.records.received", "table", "content");
    }

    /** One batch at a time (ordered blocking invocation): bounded memory, see EngagementEventsConsumer. */
    @Incoming(Channels.CONTENT_DIM)
    @Blocking
    public Uni<Void> apply(KafkaRecordBatch<byte[], byte[]> batch) {
        List<Change<ContentRow>> changes = new ArrayList<>(batch.getRecords().size());
        List<Uni<Void>> parked = new ArrayList<>();
        for (KafkaRecord<byte[], byte[]> record : batch.getRecords()) {
            received.increment();
            try {
                Change<ContentRow> change = decoder.decodeContent(record.getPayload());
                if (change != null) {
                    StorableRange.require("publish_ts", change.latest().publishTs());
                    changes.add(change);
                }
            } catch (MalformedChangeException e) {
                parked.add(deadLetters.park(record, e.getMessage()));
            }
        }
        Uni<Void> written = sink.write(changes);
        Acknowledgement.after(batch, parked.isEmpty() ? written
                : Uni.combine().all().unis(written, Uni.join().all(parked).andFailFast()).discardItems())
                .await().indefinitely();
        return Uni.createFrom().voidItem(); // done: the batch was acknowledged above
    }
}
