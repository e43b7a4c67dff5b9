package io.pandashop.pipeline.content;

import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Keeps this instance's content cache current from every partition of the content topic. A malformed record drops
 * the row its key names from the cache (read again from PostgreSQL when needed); the content-dim consumer (shared
 * group) parks it on the dead-letter topic once.
 */
@ApplicationScoped
public class ContentCacheUpdater {

    private static final Logger LOG = Logger.getLogger(ContentCacheUpdater.class);

    private final DebeziumDecoder decoder;
    private final ContentCache cache;
    private final ContentCacheBarrier barrier;

    public ContentCacheUpdater(DebeziumDecoder decoder, ContentCache cache, ContentCacheBarrier barrier) {
        this.decoder = decoder;
        this.cache = cache;
        this.barrier = barrier;
    }

    @Incoming(Channels.CONTENT_CACHE)
    public CompletionStage<Void> apply(KafkaRecordBatch<byte[], byte[]> batch) {
        for (KafkaRecord<byte[], byte[]> record : batch.getRecords()) {
            try {
                Change<ContentRow> change = decoder.decodeContent(record.getPayload());
                if (change != null) {
                    ContentRow row = change.latest();
                    cache.offer(row.id(), change.isDelete() ? null : row, change.lsn());
                }
            } catch (MalformedChangeException e) {
                // The content-dim consumer (shared group) parks the record once; here the row it was meant to
                // change must not stay cached as it was: the next lookup reads PostgreSQL.
                UUID id = decoder.contentKey(record.getKey());
                if (id != null) {
                    cache.invalidate(id);
                }
                LOG.debugf("content cache skipped %s (%s): %s", DeadLetterPublisher.describe(record),
                        id == null ? "no content id in its key" : "content " + id + " is read from PostgreSQL next",
                        e.getMessage());
            }
            barrier.applied(record.getPartition(), DeadLetterPublisher.offsetOf(record));
        }
        return batch.ack();
    }
}
