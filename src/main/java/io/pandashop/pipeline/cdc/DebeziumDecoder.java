package io.pandashop.pipeline.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * Decodes Debezium JSON envelopes (with or without embedded schemas) of the two source tables in one streaming
 * pass, without building a tree. Returns null for tombstones; throws {@link MalformedChangeException} with a
 * readable reason otherwise.
 */
@Singleton // called per record: no client proxy in the way
public class DebeziumDecoder {

    private final JsonFactory json;
    private final ObjectMapper mapper;
    private final RepeatedTexts labels = new RepeatedTexts();

    public DebeziumDecoder(ObjectMapper mapper) {
        this.mapper = mapper;
        // Duplicate fields are checked here, for the fields we read (once(...)): Jackson's strict detection keeps a
        // HashSet per JSON object, and was 9 % of the service's allocation in the drain (bench/README.md).
        this.json = mapper.getFactory();
    }

    public Change<EngagementRow> decodeEngagement(byte[] value) {
        return decode(value, this::engagementRow);
    }

    public Change<ContentRow> decodeContent(byte[] value) {
        return decode(value, DebeziumDecoder::contentRow);
    }

    /**
     * The content id a record's key names ({"id": ...}, or the "payload" of a schema'd key), read even when its value
     * is unusable, so the row it was meant to change is not kept stale; null when the key does not say.
     */
    public UUID contentKey(byte[] key) {
        if (key == null || key.length == 0) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode root = mapper.readTree(key);
            com.fasterxml.jackson.databind.JsonNode id = root.has("payload") ? root.path("payload").path("id")
                    : root.path("id");
            return id.isTextual() && Uuids.isCanonical(id.asText()) ? UUID.fromString(id.asText()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private <R> Change<R> decode(byte[] value, RowReader<R> reader) {
        if (value == null || value.length == 0) {
            return null; // tombstone after a delete: compaction marker, nothing to apply
        }
        try (JsonParser p = json.createParser(value)) {
            JsonToken first = p.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new MalformedChangeException("not a JSON object");
            }
            Change<R> change = envelope(p, reader, value);
            if (p.nextToken() != null) {
                throw new MalformedChangeException("trailing data after the envelope");
            }
            return change;
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedChangeException("unreadable: " + e.getMessage());
        }
    }

    /** Reads an envelope object (the parser is on its START_OBJECT), or the "payload" of a schema'd one. */
    private <R> Change<R> envelope(JsonParser p, RowReader<R> reader, byte[] source) throws IOException {
        String op = null;
        R before = null;
        R after = null;
        long lsn = -1;
        long txId = -1;
        long sourceTs = -1;
        long envelopeTs = 0;
        boolean hasSchema = false;
        boolean hasPayload = false;
        Change<R> payload = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "schema" -> {
                    seen = once(seen, 1, field);
                    hasSchema = true;
                    p.skipChildren();
                }
                case "payload" -> {
                    seen = once(seen, 1 << 1, field);
                    if (t == JsonToken.START_OBJECT) {
                        payload = envelope(p, reader, source);
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw new MalformedChangeException("'payload' is not an object");
                    }
                    hasPayload = true;
                }
                case "before" -> {
                    seen = once(seen, 1 << 2, field);
                    before = row(p, t, reader, "before", source);
                }
                case "after" -> {
                    seen = once(seen, 1 << 3, field);
                    after = row(p, t, reader, "after", source);
                }
                case "op" -> {
                    seen = once(seen, 1 << 4, field);
                    op = t == JsonToken.VALUE_STRING ? labels.of(p.getTextCharacters(), p.getTextOffset(),
                            p.getTextLength()) : null;
                }
                case "ts_ms" -> {
                    seen = once(seen, 1 << 5, field);
                    envelopeTs = t.isNumeric() ? p.getLongValue() : 0;
                }
                case "source" -> {
                    seen = once(seen, 1 << 6, field);
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    int seenInSource = 0;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("lsn".equals(name)) {
                            seenInSource = once(seenInSource, 1, "source.lsn");
                            Long position = nonNegativeLong(p, v, "source.lsn");
                            lsn = position == null ? -1 : position;
                        } else if ("ts_ms".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
                            seenInSource = once(seenInSource, 1 << 1, "source.ts_ms");
                            sourceTs = p.getLongValue();
                        } else if ("txId".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
                            seenInSource = once(seenInSource, 1 << 2, "source.txId");
                            txId = p.getLongValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (hasPayload) {
            return payload; // a schema'd envelope: the change is its payload (null payload: a tombstone)
        }
        if (op == null) {
            throw new MalformedChangeException(hasSchema ? "schema'd record without 'payload'"
                    : "no 'op' field: not a Debezium change envelope");
        }
        Op operation = Op.fromCode(op);
        if (lsn < 0) {
            throw new MalformedChangeException("no 'source.lsn': the source position is required");
        }
        if (operation == Op.DELETE ? before == null : after == null) {
            throw new MalformedChangeException("op '" + op + "' without its row image");
        }
        return new Change<>(operation, before, after, lsn, sourceTs >= 0 ? sourceTs : envelopeTs, txId);
    }

    private static <R> R row(JsonParser p, JsonToken t, RowReader<R> reader, String which, byte[] source)
            throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new MalformedChangeException("'" + which + "' is not an object");
        }
        try {
            return reader.read(p, source);
        } catch (MalformedChangeException e) {
            throw new MalformedChangeException("'" + which + "': " + e.getMessage());
        }
    }

    private EngagementRow engagementRow(JsonParser p, byte[] source) throws IOException {
        Long id = null;
        UUID contentId = null;
        UUID userId = null;
        String eventType = null;
        Instant eventTs = null;
        Integer durationMs = null;
        String device = null;
        JsonText rawPayload = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> {
                    seen = once(seen, 1 << 0, field);
                    id = nonNegativeLong(p, t, "id");
                }
                case "content_id" -> {
                    seen = once(seen, 1 << 1, field);
                    contentId = uuid(p, t, field);
                }
                case "user_id" -> {
                    seen = once(seen, 1 << 2, field);
                    userId = uuid(p, t, field);
                }
                case "event_type" -> {
                    seen = once(seen, 1 << 3, field);
                    eventType = label(p, t, field);
                }
                case "event_ts" -> {
                    seen = once(seen, 1 << 4, field);
                    eventTs = instant(p, t, field);
                }
                case "duration_ms" -> {
                    seen = once(seen, 1 << 5, field);
                    durationMs = integer(p, t, field);
                }
                case "device" -> {
                    seen = once(seen, 1 << 6, field);
                    device = label(p, t, field);
                }
                // JSONB arrives as a JSON string, kept as its bytes in the record (JsonText); should a converter
                // hand it over as an object, keep its text.
                case "raw_payload" -> {
                    seen = once(seen, 1 << 7, field);
                    rawPayload = t == JsonToken.VALUE_STRING ? quoted(p, source)
                            : JsonText.of(t.isStructStart() ? mapper.readTree(p).toString() : text(p, t, field));
                }
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw new MalformedChangeException("missing 'id'");
        }
        if (eventTs == null) {
            throw new MalformedChangeException("missing 'event_ts'");
        }
        return new EngagementRow(id, contentId, userId, eventType, eventTs, durationMs, device, rawPayload);
    }

    private static ContentRow contentRow(JsonParser p, byte[] source) throws IOException {
        UUID id = null;
        String slug = null;
        String title = null;
        String contentType = null;
        Integer length = null;
        Instant publishTs = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> {
                    seen = once(seen, 1 << 0, field);
                    id = uuid(p, t, field);
                }
                case "slug" -> {
                    seen = once(seen, 1 << 1, field);
                    slug = text(p, t, field);
                }
                case "title" -> {
                    seen = once(seen, 1 << 2, field);
                    title = text(p, t, field);
                }
                case "content_type" -> {
                    seen = once(seen, 1 << 3, field);
                    contentType = text(p, t, field);
                }
                case "length_seconds" -> {
                    seen = once(seen, 1 << 4, field);
                    length = integer(p, t, field);
                }
                case "publish_ts" -> {
                    seen = once(seen, 1 << 5, field);
                    publishTs = instant(p, t, field);
                }
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw new MalformedChangeException("missing 'id'");
        }
        if (publishTs == null) {
            throw new MalformedChangeException("missing 'publish_ts'");
        }
        return new ContentRow(id, slug, title, contentType, length, publishTs);
    }

    /**
     * Marks a field (its bit) as given in this object. A field given twice is ambiguous (which value did the source
     * mean?): refused, not silently last-wins. Only the fields we read are checked: a repeated field we skip changes
     * nothing we store.
     */
    private static int once(int seen, int bit, String field) {
        if ((seen & bit) != 0) {
            throw new MalformedChangeException("duplicate field '" + field + "': which value is meant is ambiguous");
        }
        return seen | bit;
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t.isStructStart()) {
            p.skipChildren();
            throw new MalformedChangeException("'" + field + "' is not a scalar");
        }
        return p.getText();
    }

    /** The string token the parser is on, as its bytes in the record (the parser then skips it unread). */
    private static JsonText quoted(JsonParser p, byte[] source) throws IOException {
        long at = p.currentTokenLocation().getByteOffset();
        if (at < 0 || at >= source.length || source[(int) at] != '"') {
            return JsonText.of(p.getText()); // a parser that does not tell where the token is: read it
        }
        return JsonText.ofQuoted(source, (int) at);
    }

    /** A short text that repeats across changes (a type, a device): the same String each time it recurs. */
    private String label(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            return text(p, t, field); // null, or a number or boolean given where text is due: its text
        }
        return labels.of(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    private static Integer integer(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            p.skipChildren();
            throw new MalformedChangeException("'" + field + "' is not an integer: " + p.getText());
        }
        return p.getIntValue();
    }

    /** A bigint column or position: an integer from 0 to Long.MAX_VALUE; null when JSON null. */
    private static Long nonNegativeLong(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            p.skipChildren();
            throw new MalformedChangeException("'" + field + "' is not a 64-bit integer: " + p.getText());
        }
        long value = p.getLongValue();
        if (value < 0) {
            throw new MalformedChangeException("'" + field + "' is negative: " + value);
        }
        return value;
    }

    private static UUID uuid(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            String s = text(p, t, field); // null, or a scalar that is no UUID
            if (s == null) {
                return null;
            }
            throw new MalformedChangeException("'" + field + "' is not a UUID: " + s);
        }
        // Canonical form only: UUID.fromString also takes "1-1-1-1-1", which PostgreSQL never sends.
        UUID id = Uuids.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (id == null) {
            throw new MalformedChangeException("'" + field + "' is not a UUID: " + p.getText());
        }
        return id;
    }

    private static Instant instant(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            // io.debezium.time.MicroTimestamp-style epoch micros, should the connector be set that way.
            long micros = p.getLongValue();
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        }
        String s = text(p, t, field);
        try {
            return IsoInstants.parse(s);
        } catch (DateTimeParseException e) {
            throw new MalformedChangeException("'" + field + "' is not an ISO-8601 instant: " + s);
        }
    }

    @FunctionalInterface
    private interface RowReader<R> {
        R read(JsonParser parser, byte[] source) throws IOException;
    }
}
