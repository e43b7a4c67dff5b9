package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import io.pandashop.pipeline.cdc.IsoInstants;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Writes one JSON field whose value may be null, for the hand-written generators of the sinks. Names are
 * pre-encoded ({@link com.fasterxml.jackson.core.io.SerializedString}): they are copied, not encoded, per field.
 */
public final class JsonFields {

    private JsonFields() {
    }

    public static void string(JsonGenerator g, SerializableString field, Object value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value.toString());
        }
    }

    /** As {@link Instant#toString()} writes it. */
    public static void instant(JsonGenerator g, SerializableString field, Instant value) throws IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(IsoInstants.format(value));
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
