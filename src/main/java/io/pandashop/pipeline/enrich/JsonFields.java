package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import io.pandashop.pipeline.cdc.IsoInstants;
import io.pandashop.pipeline.cdc.Uuids;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes one JSON field whose value may be null, for the hand-written generators of the sinks. Names are
 * pre-encoded ({@link com.fasterxml.jackson.core.io.SerializedString}): they are copied, not encoded, per field.
 */
public final class JsonFields {

    /** The longest value formatted into ASCII bytes before the generator copies them. */
    static final int SCRATCH_LENGTH = Math.max(IsoInstants.MAX_LENGTH, Uuids.LENGTH);

    private JsonFields() {
    }

    /** A String, or a UUID in its canonical text (ASCII needing no escapes: copied as is, no String made for it). */
    public static void string(JsonGenerator g, SerializableString field, Object value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else if (value instanceof UUID id) {
            byte[] b = JsonDocuments.scratch(g);
            g.writeRawUTF8String(b, 0, Uuids.formatInto(id, b));
        } else {
            g.writeString(value.toString());
        }
    }

    /** As {@link Instant#toString()} writes it (ASCII needing no escapes: copied as is, no String made for it). */
    public static void instant(JsonGenerator g, SerializableString field, Instant value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
            return;
        }
        byte[] b = JsonDocuments.scratch(g);
        int length = IsoInstants.formatInto(value, b);
        if (length < 0) {
            g.writeString(value.toString());
        } else {
            g.writeRawUTF8String(b, 0, length);
        }
    }

    public static void integer(JsonGenerator g, SerializableString field, Integer value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value.intValue());
        }
    }

    public static void number(JsonGenerator g, SerializableString field, Double value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value.doubleValue());
        }
    }

    public static void decimal(JsonGenerator g, SerializableString field, BigDecimal value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }
}
