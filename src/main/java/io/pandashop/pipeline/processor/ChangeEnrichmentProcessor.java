package io.pandashop.pipeline.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.EngagementRow;
import io.pandashop.pipeline.cdc.FetchBuffers;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.pandashop.pipeline.cdc.ReadPage;
import io.pandashop.pipeline.cdc.StorableRange;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.content.ContentCacheBarrier;
import io.pandashop.pipeline.content.ContentLookup;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.enrich.FactChanges;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.health.DependencyRetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The decode and enrich stage: one Kafka poll of engagement changes in, one enriched batch out, carrying the poll's
 * ack. Records it cannot decode are on the dead-letter topic before the batch moves on. It never fails: a
 * PostgreSQL outage during a content lookup is retried until PostgreSQL is back, and consumption waits meanwhile.
 * Batches go through one at a time, in order (the mediator concatenates), on a worker thread.
 */
@ApplicationScoped
public class ChangeEnrichmentProcessor {

    private final DebeziumDecoder decoder;
    private final ContentLookup contentLookup;
    private final ContentCacheBarrier cacheBarrier;
    private final DeadLetterPublisher deadLetters;
    private final DependencyRetry retry;
    private final StageThreads threads;
    private final Counter received;

    public ChangeEnrichmentProcessor(DebeziumDecoder decoder, ContentLookup contentLookup,
            ContentCacheBarrier cacheBarrier, DeadLetterPublisher deadLetters, DependencyRetry retry,
            StageThreads threads, MeterRegistry registry) {
        this.decoder = decoder;
        this.contentLookup = contentLookup;
        this.cacheBarrier = cacheBarrier;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.threads = threads;
        this.received = registry.counter("pipeline.records.received", "table", "engagement_events");
    }

    @Incoming(Channels.ENGAGEMENT_EVENTS)
    @Outgoing(Channels.ENRICHED_CHANGES)
    public Uni<Message<EnrichedBatch>> process(KafkaRecordBatch<byte[], byte[]> batch) {
        return Uni.createFrom().item(() -> {
            cacheBarrier.awaitCaughtUp();
            return decode(batch.getRecords());
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(decoded -> Uni.combine().all()
                        .unis(retry.untilAvailable("postgresql", () -> contentLookup.resolve(decoded.contentIds())),
                                deadLetters.parkAll(decoded.malformed()))
                        .with((contents, parked) -> contents)
                        .flatMap(contents -> onWorker(contents, decoded.thread()))
                        .map(contents -> batch.withPayload(EnrichedBatch.of(enrich(decoded.changes(), contents),
                                decoded.bytes()))));
    }

    /**
     * Back on a worker for the enrichment, unless still on the one that decoded: when every content was cached and
     * nothing was parked, the lookups completed at once, and a hop would carry no work.
     */
    private static <T> Uni<T> onWorker(T item, Thread decodedOn) {
        Uni<T> now = Uni.createFrom().item(item);
        return Thread.currentThread() == decodedOn ? now : now.emitOn(Infrastructure.getDefaultWorkerPool());
    }

    private List<FactChange> enrich(List<Change<EngagementRow>> changes, Map<UUID, ContentRow> contents) {
        threads.running(StageThreads.Stage.ENRICH);
        return FactChanges.enrich(changes, contents);
    }

    /**
     * Rows a backfill read from the source tables: enriched the same way, with the content rows they were read
     * with, into the same fan-out. The page's ack (the backfill's progress) follows the enriched batch.
     */
    @Incoming(Channels.BACKFILL_ROWS)
    @Outgoing(Channels.ENRICHED_READS)
    public Uni<EnrichedBatch> processRead(ReadPage page) {
        return Uni.createFrom().item(() -> EnrichedBatch.of(enrich(page.changes(), page.contents())))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private record Decoded(List<Change<EngagementRow>> changes, Set<UUID> contentIds,
            Map<KafkaRecord<byte[], byte[]>, String> malformed, long bytes, Thread thread) {
    }

    private Decoded decode(List<KafkaRecord<byte[], byte[]>> records) {
        threads.running(StageThreads.Stage.DECODE);
        received.increment(records.size());
        List<Change<EngagementRow>> changes = new ArrayList<>(records.size());
        Map<KafkaRecord<byte[], byte[]>, String> malformed = new LinkedHashMap<>();
        Set<UUID> contentIds = new HashSet<>();
        long bytes = 0;
        for (KafkaRecord<byte[], byte[]> record : records) {
            bytes += record.getPayload() == null ? 0 : record.getPayload().length;
            FetchBuffers.release(record);
            try {
                Change<EngagementRow> change = storable(decoder.decodeEngagement(record.getPayload()));
                if (change == null) {
                    continue;
                }
                changes.add(change);
                addContentId(contentIds, change.before());
                addContentId(contentIds, change.after());
            } catch (MalformedChangeException e) {
                malformed.put(record, e.getMessage());
            }
        }
        return new Decoded(changes, contentIds, malformed, bytes, Thread.currentThread());
    }

    /**
     * Only the image being stored is range-checked: an after image ClickHouse cannot hold makes the record bad. A
     * before image it cannot hold was never stored (its insert was parked), so there is nothing to retract: an update
     * that corrects it lands as if it were an insert, and its delete changes nothing (null: skipped).
     */
    static Change<EngagementRow> storable(Change<EngagementRow> change) {
        if (change == null) {
            return null;
        }
        if (change.after() != null) {
            StorableRange.require("event_ts", change.after().eventTs());
        }
        if (change.before() != null && !StorableRange.holds(change.before().eventTs())) {
            return change.after() == null ? null
                    : new Change<>(change.op(), null, change.after(), change.lsn(), change.tsMs(), change.txId());
        }
        return change;
    }

    private static void addContentId(Set<UUID> ids, EngagementRow row) {
        if (row != null && row.contentId() != null) {
            ids.add(row.contentId());
        }
    }
}
