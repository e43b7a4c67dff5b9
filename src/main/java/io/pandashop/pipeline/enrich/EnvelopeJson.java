package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

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
    private static final SerializedString IDEMPOTENCY_KEY = new SerializedString("idempotency_key");
    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString EVENT_ID = new SerializedString("event_id");
    private static final SerializedString LSN = new SerializedString("lsn");
    private static final SerializedString TX_ID = new SerializedString("tx_id");
    private static final SerializedString SOURCE_TS_MS = new SerializedString("source_ts_ms");
    private static final SerializedString DELETED = new SerializedString("deleted");
    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString CONTENT_ID = new SerializedString("content_id");
    private static final SerializedString USER_ID = new SerializedString("user_id");
    private static final SerializedString EVENT_TYPE = new SerializedString("event_type");
    private static final SerializedString EVENT_TS = new SerializedString("event_ts");
    private static final SerializedString DURATION_MS = new SerializedString("duration_ms");
    private static final SerializedString DEVICE = new SerializedString("device");
    private static final SerializedString RAW_PAYLOAD = new SerializedString("raw_payload");
    private static final SerializedString ENGAGEMENT_SECONDS = new SerializedString("engagement_seconds");
    private static final SerializedString ENGAGEMENT_PERCENT = new SerializedString("engagement_percent");
    private static final SerializedString CONTENT_SLUG = new SerializedString("content_slug");
    private static final SerializedString CONTENT_TITLE = new SerializedString("content_title");
    private static final SerializedString CONTENT_TYPE = new SerializedString("content_type");
    private static final SerializedString LENGTH_SECONDS = new SerializedString("length_seconds");
    private static final SerializedString PUBLISH_TS = new SerializedString("publish_ts");

    private EnvelopeJson() {
    }

    /** The changes' envelopes, in order, written by one generator (one per change was a visible cost). */
    public static List<byte[]> of(List<FactChange> changes) {
        Bytes out = new Bytes(1024 * changes.size() + 64); // an envelope is 600-900 bytes: no regrowth
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
        List<byte[]> envelopes = new ArrayList<>(ends.length);
        int start = 0;
        for (int end : ends) {
            envelopes.add(out.copy(start, end));
            start = end;
        }
        return envelopes;
    }

    /** A byte stream whose slices are copied out directly, without first copying the whole. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes(int capacity) {
            super(capacity);
        }

        byte[] copy(int from, int to) {
            return Arrays.copyOfRange(buf, from, to);
        }
    }

    private static void write(JsonGenerator g, FactChange c) throws IOException {
        g.writeStartObject();
        g.writeFieldName(IDEMPOTENCY_KEY);
        g.writeString(c.idempotencyKey());
        g.writeFieldName(OP);
        g.writeString(c.op().code());
        g.writeFieldName(EVENT_ID);
        g.writeNumber(c.eventId());
        g.writeFieldName(LSN);
        g.writeNumber(c.lsn());
        g.writeFieldName(TX_ID);
        g.writeNumber(c.txId());
        g.writeFieldName(SOURCE_TS_MS);
        g.writeNumber(c.sourceTsMs());
        g.writeFieldName(DELETED);
        g.writeBoolean(c.deleted());
        g.writeFieldName(EVENT);
        writeEvent(g, c.deleted() ? c.previous() : c.current());
        g.writeEndObject();
    }

    private static void writeEvent(JsonGenerator g, EnrichedEvent e) throws IOException {
        if (e == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeFieldName(EVENT_ID);
        g.writeNumber(e.eventId());
        JsonFields.string(g, CONTENT_ID, e.contentId());
        JsonFields.string(g, USER_ID, e.userId());
        JsonFields.string(g, EVENT_TYPE, e.eventType());
        JsonFields.instant(g, EVENT_TS, e.eventTs());
        JsonFields.integer(g, DURATION_MS, e.durationMs());
        JsonFields.string(g, DEVICE, e.device());
        JsonFields.string(g, RAW_PAYLOAD, e.rawPayload());
        JsonFields.number(g, ENGAGEMENT_SECONDS, e.engagementSeconds());
        JsonFields.decimal(g, ENGAGEMENT_PERCENT, e.engagementPercent());
        JsonFields.string(g, CONTENT_SLUG, e.contentSlug());
        JsonFields.string(g, CONTENT_TITLE, e.contentTitle());
        JsonFields.string(g, CONTENT_TYPE, e.contentType());
        JsonFields.integer(g, LENGTH_SECONDS, e.lengthSeconds());
        JsonFields.instant(g, PUBLISH_TS, e.publishTs());
        g.writeEndObject();
    }
}
