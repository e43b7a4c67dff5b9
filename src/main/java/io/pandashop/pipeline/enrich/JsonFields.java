package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pandashop.pipeline.cdc.IsoInstants;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/** Writes one JSON field whose value may be null, for the hand-written generators of the sinks. */
public final class JsonFields {

    private JsonFields() {
    }

    public static void string(JsonGenerator g, String field, Object value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value.toString());
        }
    }

    /** As {@link Instant#toString()} writes it. */
    public static void instant(JsonGenerator g, String field, Instant value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, IsoInstants.format(value));
        }
    }

    public static void integer(JsonGenerator g, String field, Integer value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value.intValue());
        }
    }

    public static void number(JsonGenerator g, String field, Double value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value.doubleValue());
        }
    }

    public static void decimal(JsonGenerator g, String field, BigDecimal value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }
}
