package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.util.List;

/**
 * How an engagement change is shown outside the service (the external system, its parking topic, the dead-letter
 * topic; Redis streams carry a compact entry instead, sink.redis.StreamEntries), written once per change: its idempotency key, the operation, the source position and the enriched
 * event (as it was before the change, for deletes), with snake_case names as the ClickHouse columns have.
 */
public final class EnvelopeJson {

    private static final SerializedString IDEMPOTENCY_KEY = new SerializedString("idempotency_key");
    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString LSN = new SerializedString("lsn");
    private static final SerializedString TX_ID = new SerializedString("tx_id");
    private static final SerializedString SOURCE_TS_MS = new SerializedString("source_ts_ms");
    private static final SerializedString DELETED = new SerializedString("deleted");
    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString RAW_PAYLOAD = new SerializedString("raw_payload");

    private EnvelopeJson() {
    }

    /** The changes' envelopes, in order. */
    public static Envelopes of(List<FactChange> changes) {
        // 600-900 bytes each
        return new Envelopes(JsonDocuments.joined(0, changes.size(), 1024, (g, i) -> write(g, changes.get(i))), 0,
                changes.size());
    }

    private static void write(JsonGenerator g, FactChange c) throws IOException {
        g.writeStartObject();
        g.writeFieldName(IDEMPOTENCY_KEY);
        g.writeString(c.idempotencyKey());
        g.writeFieldName(OP);
        g.writeString(c.op().code());
        g.writeFieldName(FactColumn.EVENT_ID.json);
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
        g.writeFieldName(FactColumn.EVENT_ID.json);
        g.writeNumber(e.eventId());
        JsonFields.string(g, FactColumn.CONTENT_ID.json, e.contentId());
        JsonFields.string(g, FactColumn.USER_ID.json, e.userId());
        JsonFields.string(g, FactColumn.EVENT_TYPE.json, e.eventType());
        JsonFields.instant(g, FactColumn.EVENT_TS.json, e.eventTs());
        JsonFields.integer(g, FactColumn.DURATION_MS.json, e.durationMs());
        JsonFields.string(g, FactColumn.DEVICE.json, e.device());
        g.writeFieldName(RAW_PAYLOAD);
        if (e.rawPayload() == null) {
            g.writeNull();
        } else {
            e.rawPayload().writeTo(g); // as it arrived: not escaped again
        }
        JsonFields.number(g, FactColumn.ENGAGEMENT_SECONDS.json, e.engagementSeconds());
        JsonFields.decimal(g, FactColumn.ENGAGEMENT_PERCENT.json, e.engagementPercent());
        JsonFields.string(g, FactColumn.CONTENT_SLUG.json, e.contentSlug());
        JsonFields.string(g, FactColumn.CONTENT_TITLE.json, e.contentTitle());
        JsonFields.string(g, FactColumn.CONTENT_TYPE.json, e.contentType());
        JsonFields.integer(g, FactColumn.LENGTH_SECONDS.json, e.lengthSeconds());
        JsonFields.instant(g, FactColumn.PUBLISH_TS.json, e.publishTs());
        g.writeEndObject();
    }
}
