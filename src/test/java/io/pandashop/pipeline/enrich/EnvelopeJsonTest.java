package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.cdc.JsonText;
import io.pandashop.pipeline.cdc.Op;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch's envelopes come from one generator: each must still be one whole JSON document with its own change. */
class EnvelopeJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void eachChangeHasItsOwnCompleteEnvelope() throws Exception {
        UUID content = UUID.fromString("11111111-1111-4111-8111-111111111111");
        EnrichedEvent inserted = new EnrichedEvent(7, content, UUID.fromString("22222222-2222-4222-8222-222222222222"),
                "play", Instant.parse("2026-11-27T10:00:00.123456Z"), 30_000, "ios \"quoted\" ü",
                JsonText.of("{\"k\": [1, 2]}"), 30.0, new BigDecimal("4.17"), "slug", "Title", "podcast", 720,
                Instant.parse("2026-01-01T00:00:00Z"));
        EnrichedEvent bare = new EnrichedEvent(8, null, null, null, Instant.parse("2026-11-27T10:00:01Z"), null, null,
                null, null, null, null, null, null, null, null);
        List<FactChange> changes = List.of(
                new FactChange(7, Op.CREATE, 100, 1_764_000_000_000L, 55, inserted, null),
                new FactChange(8, Op.CREATE, 101, 1_764_000_000_001L, 55, bare, null),
                new FactChange(7, Op.DELETE, 102, 1_764_000_000_002L, 56, null, inserted));

        Envelopes envelopes = EnvelopeJson.of(changes);

        assertEquals(3, envelopes.size());
        JsonNode first = MAPPER.readTree(envelopes.get(0));
        assertEquals(changes.get(0).idempotencyKey(), first.get("idempotency_key").asText());
        assertEquals("c", first.get("op").asText());
        assertEquals(100, first.get("lsn").asLong());
        assertEquals(55, first.get("tx_id").asLong());
        assertEquals(1_764_000_000_000L, first.get("source_ts_ms").asLong());
        JsonNode event = first.get("event");
        assertEquals("2026-11-27T10:00:00.123456Z", event.get("event_ts").asText());
        assertEquals("2026-01-01T00:00:00Z", event.get("publish_ts").asText());
        assertEquals(content.toString(), event.get("content_id").asText());
        assertEquals("ios \"quoted\" ü", event.get("device").asText());
        assertEquals("{\"k\": [1, 2]}", event.get("raw_payload").asText());
        assertEquals(new BigDecimal("4.17"), event.get("engagement_percent").decimalValue());
        assertEquals(15, event.size(), "every column, nulls included: " + event);

        JsonNode second = MAPPER.readTree(envelopes.get(1));
        assertEquals(8, second.get("event_id").asLong());
        assertTrue(second.get("event").get("content_id").isNull());
        assertTrue(second.get("event").get("publish_ts").isNull());
        assertEquals(15, second.get("event").size());

        JsonNode deleted = MAPPER.readTree(envelopes.get(2));
        assertTrue(deleted.get("deleted").asBoolean());
        assertEquals("d", deleted.get("op").asText());
        assertEquals(7, deleted.get("event").get("event_id").asLong(), "a delete shows the event as it was");
        assertTrue(changes.get(2).idempotencyKey().endsWith(":deleted"));

        // The external system's body for any run of them: the same as joining them by hand.
        assertEquals(joined(envelopes, 0, 3), array(envelopes));
        Envelopes lastTwo = envelopes.slice(1, 3);
        assertEquals(joined(envelopes, 1, 3), array(lastTwo));
        assertArrayEquals(envelopes.get(2), lastTwo.get(1));
        assertEquals(joined(envelopes, 1, 2), array(lastTwo.slice(0, 1)));
        assertEquals(3, MAPPER.readTree(array(envelopes)).size());
        assertEquals("[]", array(envelopes.slice(2, 2)));
    }

    /** The range the external body is sent from, between brackets. */
    private static String array(Envelopes envelopes) {
        return "[" + envelopes.commaSeparated((b, off, len) -> new String(b, off, len, StandardCharsets.UTF_8)) + "]";
    }

    private static String joined(Envelopes envelopes, int from, int to) {
        List<String> each = new ArrayList<>();
        for (int i = from; i < to; i++) {
            each.add(new String(envelopes.get(i), StandardCharsets.UTF_8));
        }
        return "[" + String.join(",", each) + "]";
    }
}
