package io.pandashop.pipeline.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * How an engagement change is shown outside the service (Redis streams, the external system, the parking
 * topic), written once per change: its idempotency key, the operation, the source position and the enriched
 * event (as it was before the change, for deletes), with snake_case names as the ClickHouse columns have.
 */
public final class EnvelopeJson {

    private static final JsonFactory JSON = new JsonFactory();

    private EnvelopeJson() {
    }

    public static byte[] of(FactChange c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("idempotency_key", c.idempotencyKey());
            g.writeStringField("op", c.op().code());
            g.writeNumberField("event_id", c.eventId());
            g.writeNumberField("lsn", c.lsn());
            g.writeNumberField("source_ts_ms", c.sourceTsMs());
            g.writeBooleanField("deleted", c.deleted());
            g.writeFieldName("event");
            writeEvent(g, c.deleted() ? c.previous() : c.current());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeEvent(JsonGenerator g, EnrichedEvent e) throws IOException {
        if (e == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("event_id", e.eventId());
        string(g, "content_id", e.contentId() == null ? null : e.contentId().toString());
        string(g, "user_id", e.userId() == null ? null : e.userId().toString());
        string(g, "event_type", e.eventType());
        instant(g, "event_ts", e.eventTs());
        g.writeFieldName("duration_ms");
        if (e.durationMs() == null) {
            g.writeNull();
        } else {
            g.writeNumber(e.durationMs().intValue());
        }
        string(g, "device", e.device());
        string(g, "raw_payload", e.rawPayload());
        g.writeFieldName("engagement_seconds");
        if (e.engagementSeconds() == null) {
            g.writeNull();
        } else {
            g.writeNumber(e.engagementSeconds().doubleValue());
        }
        g.writeFieldName("engagement_percent");
        if (e.engagementPercent() == null) {
            g.writeNull();
        } else {
            g.writeNumber(e.engagementPercent());
        }
        string(g, "content_slug", e.contentSlug());
        string(g, "content_title", e.contentTitle());
        string(g, "content_type", e.contentType());
        g.writeFieldName("length_seconds");
        if (e.lengthSeconds() == null) {
            g.writeNull();
        } else {
            g.writeNumber(e.lengthSeconds().intValue());
        }
        instant(g, "publish_ts", e.publishTs());
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }

    private static void instant(JsonGenerator g, String field, Instant value) throws IOException {
        string(g, field, value == null ? null : value.toString());
    }
}
