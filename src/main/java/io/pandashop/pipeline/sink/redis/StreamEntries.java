package io.pandashop.pipeline.sink.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.enrich.FactColumn;
import io.pandashop.pipeline.enrich.JsonDocuments;
import io.pandashop.pipeline.enrich.JsonFields;

import java.io.IOException;
import java.util.List;

/**
 * The {@code data} of a change's entry in its content type's stream: what a reader of recent activity acts on, the
 * change's own columns, about 250 bytes. The content's dimension (slug, title, length, publish time) is the
 * content_id's, and the stream's key already names the type; raw_payload and the idempotency key stay with the
 * external system's envelope ((event_id, lsn) identifies a version). The full envelope made the entry about 600-900
 * bytes, and its bytes were about 60 % of Redis's CPU per change (bench/README.md, "Redis stream entry").
 */
final class StreamEntries {

    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString LSN = new SerializedString("lsn");
    private static final SerializedString SOURCE_TS_MS = new SerializedString("source_ts_ms");

    private StreamEntries() {
    }

    /** The entries of changes [from, to), in order; a delete shows the event as it was. */
    static List<byte[]> of(List<FactChange> changes, int from, int to) {
        return JsonDocuments.write(from, to, 320, (g, i) -> write(g, changes.get(i)));
    }

    private static void write(JsonGenerator g, FactChange c) throws IOException {
        EnrichedEvent e = c.deleted() ? c.previous() : c.current();
        g.writeStartObject();
        g.writeFieldName(FactColumn.EVENT_ID.json);
        g.writeNumber(c.eventId());
        g.writeFieldName(OP);
        g.writeString(c.op().code());
        g.writeFieldName(LSN);
        g.writeNumber(c.lsn());
        g.writeFieldName(SOURCE_TS_MS);
        g.writeNumber(c.sourceTsMs());
        JsonFields.string(g, FactColumn.CONTENT_ID.json, e.contentId());
        JsonFields.string(g, FactColumn.USER_ID.json, e.userId());
        JsonFields.string(g, FactColumn.EVENT_TYPE.json, e.eventType());
        JsonFields.instant(g, FactColumn.EVENT_TS.json, e.eventTs());
        JsonFields.integer(g, FactColumn.DURATION_MS.json, e.durationMs());
        JsonFields.decimal(g, FactColumn.ENGAGEMENT_PERCENT.json, e.engagementPercent());
        g.writeEndObject();
    }
}
