package io.pandashop.pipeline.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * Decodes Debezium JSON envelopes (with or without embedded schemas) of the two source tables.
 * Returns null for tombstones; throws {@link MalformedChangeException} with a readable reason otherwise.
 */
@ApplicationScoped
public class DebeziumDecoder {

    private final ObjectMapper mapper;

    public DebeziumDecoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Change<EngagementRow> decodeEngagement(byte[] value) {
        return decode(value, DebeziumDecoder::engagementRow);
    }

    public Change<ContentRow> decodeContent(byte[] value) {
        return decode(value, DebeziumDecoder::contentRow);
    }

    private <R> Change<R> decode(byte[] value, RowReader<R> reader) {
        if (value == null || value.length == 0) {
            return null; // tombstone after a delete: compaction marker, nothing to apply
        }
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (IOException e) {
            throw new MalformedChangeException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || root.isNull()) {
            return null;
        }
        JsonNode envelope = root.has("payload") && root.has("schema") ? root.get("payload") : root;
        if (envelope == null || envelope.isNull()) {
            return null;
        }
        JsonNode opNode = envelope.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw new MalformedChangeException("no 'op' field: not a Debezium change envelope");
        }
        Op op = Op.fromCode(opNode.asText());
        JsonNode source = envelope.get("source");
        if (source == null || !source.path("lsn").canConvertToLong()) {
            throw new MalformedChangeException("no 'source.lsn': the source position is required");
        }
        long lsn = source.get("lsn").asLong();
        long tsMs = source.path("ts_ms").asLong(envelope.path("ts_ms").asLong(0));
        R before = readRow(envelope.get("before"), reader, "before");
        R after = readRow(envelope.get("after"), reader, "after");
        if (op == Op.DELETE ? before == null : after == null) {
            throw new MalformedChangeException("op '" + op.code() + "' without its row image");
        }
        return new Change<>(op, before, after, lsn, tsMs);
    }

    private static <R> R readRow(JsonNode node, RowReader<R> reader, String which) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return reader.read(node);
        } catch (MalformedChangeException e) {
            throw new MalformedChangeException("'" + which + "': " + e.getMessage());
        } catch (RuntimeException e) {
            throw new MalformedChangeException("'" + which + "': " + e.getMessage(), e);
        }
    }

    static EngagementRow engagementRow(JsonNode n) {
        JsonNode id = n.get("id");
        if (id == null || !id.canConvertToLong()) {
            throw new MalformedChangeException("missing or non-numeric 'id'");
        }
        return new EngagementRow(id.asLong(), uuid(n, "content_id"), uuid(n, "user_id"), text(n, "event_type"),
                requiredInstant(n, "event_ts"), integer(n, "duration_ms"), text(n, "device"), text(n, "raw_payload"));
    }

    static ContentRow contentRow(JsonNode n) {
        UUID id = uuid(n, "id");
        if (id == null) {
            throw new MalformedChangeException("missing 'id'");
        }
        return new ContentRow(id, text(n, "slug"), text(n, "title"), text(n, "content_type"),
                integer(n, "length_seconds"), requiredInstant(n, "publish_ts"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        // JSONB arrives as a JSON string; should a converter hand it over as an object, keep its text.
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt()) {
            throw new MalformedChangeException("'" + field + "' is not an integer: " + v);
        }
        return v.asInt();
    }

    private static UUID uuid(JsonNode n, String field) {
        String s = text(n, field);
        if (s == null) {
            return null;
        }
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedChangeException("'" + field + "' is not a UUID: " + s);
        }
    }

    private static Instant requiredInstant(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new MalformedChangeException("missing '" + field + "'");
        }
        if (v.isNumber()) {
            // io.debezium.time.MicroTimestamp-style epoch micros, should the connector be set that way.
            long micros = v.asLong();
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new MalformedChangeException("'" + field + "' is not an ISO-8601 instant: " + v.asText());
        }
    }

    @FunctionalInterface
    private interface RowReader<R> {
        R read(JsonNode node);
    }
}
