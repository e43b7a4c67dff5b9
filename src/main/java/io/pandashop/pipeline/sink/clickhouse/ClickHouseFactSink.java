package io.pandashop.pipeline.sink.clickhouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.enrich.JsonFields;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    private final ClickHouseInserter inserter;
    private final JsonFactory json = new JsonFactory();

    public ClickHouseFactSink(ClickHouseInserter inserter,
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
        BatchToken token = new BatchToken(TABLE);
        byte[] rows = rows(changes, token);
        return inserter.insert(TABLE, rows, token.value());
    }

    byte[] rows(List<FactChange> changes, BatchToken token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(changes.size() * 400);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (FactChange c : changes) {
                EnrichedEvent old = c.previous();
                if (old != null && (c.deleted() || keyMoved(old, c.current()))) {
                    writeRemoved(g, old, c.lsn());
                    g.writeRaw('\n');
                }
                if (!c.deleted()) {
                    writeCurrent(g, c.current(), c.lsn());
                    g.writeRaw('\n');
                }
                token.add(c.eventId(), c.lsn(), c.deleted());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static boolean keyMoved(EnrichedEvent before, EnrichedEvent after) {
        return Timestamps.millis(before.eventTs()) != Timestamps.millis(after.eventTs())
                || !Objects.equals(before.contentId(), after.contentId());
    }

    private static void writeRemoved(JsonGenerator g, EnrichedEvent old, long version) throws IOException {
        g.writeStartObject();
        g.writeNumberField("event_id", old.eventId());
        JsonFields.string(g, "content_id", old.contentId());
        g.writeStringField("event_ts", Timestamps.format(old.eventTs()));
        g.writeNumberField("version", version);
        g.writeNumberField("is_deleted", 1);
        g.writeEndObject();
    }

    private static void writeCurrent(JsonGenerator g, EnrichedEvent e, long version) throws IOException {
        g.writeStartObject();
        g.writeNumberField("event_id", e.eventId());
        JsonFields.string(g, "content_id", e.contentId());
        JsonFields.string(g, "user_id", e.userId());
        JsonFields.string(g, "event_type", e.eventType());
        g.writeStringField("event_ts", Timestamps.format(e.eventTs()));
        JsonFields.integer(g, "duration_ms", e.durationMs());
        JsonFields.string(g, "device", e.device());
        JsonFields.number(g, "engagement_seconds", e.engagementSeconds());
        JsonFields.decimal(g, "engagement_percent", e.engagementPercent());
        JsonFields.string(g, "content_slug", e.contentSlug());
        JsonFields.string(g, "content_title", e.contentTitle());
        JsonFields.string(g, "content_type", e.contentType());
        JsonFields.integer(g, "length_seconds", e.lengthSeconds());
        JsonFields.string(g, "publish_ts", Timestamps.format(e.publishTs()));
        g.writeNumberField("version", version);
        g.writeNumberField("is_deleted", 0);
        g.writeEndObject();
    }
}
