package io.pandashop.pipeline.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.EngagementRow;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.content.ContentCacheBarrier;
import io.pandashop.pipeline.content.ContentLookup;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.enrich.Enricher;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.clickhouse.StorableRange;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.common.annotation.Blocking;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The pipeline's main stage: a batch of engagement change records is decoded, joined with content, and fanned
 * out to every destination. The batch is acknowledged (and its offsets committed) only when all destinations
 * have it and every malformed record is on the dead-letter topic.
 */
@ApplicationScoped
public class EngagementEventsConsumer {

    private final DebeziumDecoder decoder;
    private final ContentLookup contentLookup;
    private final ContentCacheBarrier cacheBarrier;
    private final FanOut fanOut;
    private final DeadLetterPublisher deadLetters;
    private final Counter received;

    public EngagementEventsConsumer(DebeziumDecoder decoder, ContentLookup contentLookup,
            ContentCacheBarrier cacheBarrier, FanOut fanOut,
            DeadLetterPublisher deadLetters, MeterRegistry registry) {
        this.decoder = decoder;
        this.contentLookup = contentLookup;
        this.cacheBarrier = cacheBarrier;
        this.fanOut = fanOut;
        this.deadLetters = deadLetters;
        this.received = registry.counter("pipeline.records.received", "table", "engagement_events");
    }

    /**
     * One batch at a time per consumer (ordered blocking invocation), so demand, and with it memory, stays at
     * one poll per partition consumer; a Uni-returning method would be invoked for many polled batches at once.
     * The I/O inside a batch still runs concurrently, across the three destinations.
     */
    @Incoming(Channels.ENGAGEMENT_EVENTS)
    @Blocking
    public Uni<Void> process(KafkaRecordBatch<byte[], byte[]> batch) {
        cacheBarrier.awaitCaughtUp();
        Decoded decoded = decode(batch.getRecords());
        Uni<Void> work = Uni.combine().all().unis(
                contentLookup.resolve(decoded.contentIds())
                        .emitOn(Infrastructure.getDefaultWorkerPool())
                        .flatMap(contents -> fanOut.write(enrich(decoded.changes(), contents))),
                parkAll(decoded.malformed())).discardItems();
        Acknowledgement.after(batch, work).await().indefinitely();
        return Uni.createFrom().voidItem(); // done: the batch was acknowledged above
    }

    private record Decoded(List<Change<EngagementRow>> changes, Set<UUID> contentIds,
            List<Map.Entry<KafkaRecord<byte[], byte[]>, String>> malformed) {
    }

    private Decoded decode(List<KafkaRecord<byte[], byte[]>> records) {
        received.increment(records.size());
        List<Change<EngagementRow>> changes = new ArrayList<>(records.size());
        List<Map.Entry<KafkaRecord<byte[], byte[]>, String>> malformed = new ArrayList<>();
        Set<UUID> contentIds = new HashSet<>();
        for (KafkaRecord<byte[], byte[]> record : records) {
            try {
                Change<EngagementRow> change = decoder.decodeEngagement(record.getPayload());
                if (change == null) {
                    continue;
                }
                requireStorable(change.before());
                requireStorable(change.after());
                changes.add(change);
                addContentId(contentIds, change.before());
                addContentId(contentIds, change.after());
            } catch (MalformedChangeException e) {
                malformed.add(Map.entry(record, e.getMessage()));
            }
        }
        return new Decoded(changes, contentIds, malformed);
    }

    private Uni<Void> parkAll(List<Map.Entry<KafkaRecord<byte[], byte[]>, String>> malformed) {
        if (malformed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> parked = new ArrayList<>(malformed.size());
        for (Map.Entry<KafkaRecord<byte[], byte[]>, String> m : malformed) {
            parked.add(deadLetters.park(m.getKey(), m.getValue()));
        }
        return Uni.join().all(parked).andFailFast().replaceWithVoid();
    }

    static List<FactChange> enrich(List<Change<EngagementRow>> changes, Map<UUID, ContentRow> contents) {
        List<FactChange> facts = new ArrayList<>(changes.size());
        for (Change<EngagementRow> c : changes) {
            EngagementRow row = c.latest();
            facts.add(new FactChange(row.id(), c.op(), c.lsn(), c.tsMs(),
                    c.after() == null ? null : Enricher.enrich(c.after(), contentOf(c.after(), contents)),
                    c.before() == null ? null : Enricher.enrich(c.before(), contentOf(c.before(), contents))));
        }
        return facts;
    }

    private static ContentRow contentOf(EngagementRow row, Map<UUID, ContentRow> contents) {
        return row.contentId() == null ? null : contents.get(row.contentId());
    }

    private static void requireStorable(EngagementRow row) {
        if (row != null) {
            StorableRange.require("event_ts", row.eventTs());
        }
    }

    private static void addContentId(Set<UUID> ids, EngagementRow row) {
        if (row != null && row.contentId() != null) {
            ids.add(row.contentId());
        }
    }
}
