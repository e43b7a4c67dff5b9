package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How an engagement change is shown outside the service (Redis streams, the external system, the parking
 * topic), written once per change: its idempotency key, the operation, the source position and the enriched
 * event (as it was before the change, for deletes), with snake_case names as the ClickHouse columns have.
 */
public final class EnvelopeJson {

    private static final JsonFactory JSON = new JsonFactory();

    private EnvelopeJson() {
    }

    /** The changes' envelopes, in order, written by one generator (one per change was a visible cost). */
    public static List<byte[]> of(List<FactChange> changes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640 * changes.size() + 64);
        int[] ends = new int[changes.size()];
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (int i = 0; i < ends.length; i++) {
                write(g, changes.get(i));
                g.flush();
                ends[i] = out.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] all = out.toByteArray();
        List<byte[]> envelopes = new ArrayList<>(ends.length);
        int start = 0;
        for (int end : ends) {
            envelopes.add(Arrays.copyOfRange(all, start, end));
            start = end;
        }
        return envelopes;
    }

    private static void write(JsonGenerator g, FactChange c) throws IOException {
        g.writeStartObject();
        g.writeStringField("idempotency_key", c.idempotencyKey());
        g.writeStringField("op", c.op().code());
        g.writeNumberField("event_id", c.eventId());
        g.writeNumberField("lsn", c.lsn());
        g.writeNumberField("tx_id", c.txId());
        g.writeNumberField("source_ts_ms", c.sourceTsMs());
        g.writeBooleanField("deleted", c.deleted());
        g.writeFieldName("event");
        writeEvent(g, c.deleted() ? c.previous() : c.current());
        g.writeEndObject();
    }

    private static void writeEvent(JsonGenerator g, EnrichedEvent e) throws IOException {
        if (e == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("event_id", e.eventId());
        JsonFields.string(g, "content_id", e.contentId());
        JsonFields.string(g, "user_id", e.userId());
        JsonFields.string(g, "event_type", e.eventType());
        JsonFields.instant(g, "event_ts", e.eventTs());
        JsonFields.integer(g, "duration_ms", e.durationMs());
        JsonFields.string(g, "device", e.device());
        JsonFields.string(g, "raw_payload", e.rawPayload());
        JsonFields.number(g, "engagement_seconds", e.engagementSeconds());
        JsonFields.decimal(g, "engagement_percent", e.engagementPercent());
        JsonFields.string(g, "content_slug", e.contentSlug());
        JsonFields.string(g, "content_title", e.contentTitle());
        JsonFields.string(g, "content_type", e.contentType());
        JsonFields.integer(g, "length_seconds", e.lengthSeconds());
        JsonFields.instant(g, "publish_ts", e.publishTs());
        g.writeEndObject();
    }
}
