package io.pandashop.pipeline.sink.clickhouse;

import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.List;
import java.util.Objects;

/**
 * Writes engagement changes to app.enriched_engagements, one insert per batch. Each change becomes a row
 * versioned by its source position; a delete, or an update that moves the sorting key (event_ts or
 * content_id), also writes a deleted row under the old key so that no stale row stays visible through FINAL.
 * The destination's channel is {@value Channels#TO_CLICKHOUSE}.
 */
@Singleton // no client proxy: its superclass holds the channel
public class ClickHouseFactSink extends ChannelDestination {

    static final String TABLE = "enriched_engagements";

    static final List<String> COLUMNS = List.of("event_id", "content_id", "user_id", "event_type", "event_ts",
            "duration_ms", "device", "engagement_seconds", "engagement_percent", "content_slug", "content_title",
            "content_type", "length_seconds", "publish_ts", "version", "is_deleted");

    private final RowsInserter inserter;

    public ClickHouseFactSink(RowsInserter inserter,
            @Channel(Channels.TO_CLICKHOUSE) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<EnrichedBatch> channel,
            @Channel(Channels.TO_CLICKHOUSE) Multi<Message<EnrichedBatch>> consumer) {
        super("clickhouse", channel, consumer);
        this.inserter = inserter;
    }

    @Override
    public Uni<Void> write(EnrichedBatch batch) {
        List<FactChange> changes = batch.changes();
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return inserter.insert(rows(changes));
    }

    static ClickHouseRows rows(List<FactChange> changes) {
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder(TABLE, COLUMNS);
        for (FactChange c : changes) {
            EnrichedEvent old = c.previous();
            if (old != null && (c.deleted() || keyMoved(old, c.current()))) {
                rows.row(old.eventId(), old.contentId(), null, null, old.eventTs(), null, null, null, null, null, null,
                        null, null, null, c.lsn(), 1);
            }
            if (!c.deleted()) {
                EnrichedEvent e = c.current();
                rows.row(e.eventId(), e.contentId(), e.userId(), e.eventType(), e.eventTs(), e.durationMs(),
                        e.device(), e.engagementSeconds(), e.engagementPercent(), e.contentSlug(), e.contentTitle(),
                        e.contentType(), e.lengthSeconds(), e.publishTs(), c.lsn(), 0);
            }
            rows.token().add(c.eventId(), c.lsn(), c.deleted());
        }
        return rows.build();
    }

    private static boolean keyMoved(EnrichedEvent before, EnrichedEvent after) {
        return Timestamps.millis(before.eventTs()) != Timestamps.millis(after.eventTs())
                || !Objects.equals(before.contentId(), after.contentId());
    }
}
