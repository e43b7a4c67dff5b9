package io.pandashop.pipeline.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.testsupport.BadInputs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decodes the real Debezium events in src/test/resources/debezium: every op, with and without schemas. */
class DebeziumDecoderTest {

    private static final Path FIXTURES = Path.of("src", "test", "resources", "debezium");

    private final DebeziumDecoder decoder = new DebeziumDecoder(new ObjectMapper());

    private static List<byte[]> values(String file) throws IOException {
        List<byte[]> values = new ArrayList<>();
        for (String line : Files.readAllLines(FIXTURES.resolve(file), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String value = line.substring(line.indexOf('\t') + 1);
            values.add("null".equals(value) ? null : value.getBytes(StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void decodesEveryEngagementChangeWithoutSchemas() throws IOException {
        List<Change<EngagementRow>> changes = new ArrayList<>();
        int tombstones = 0;
        for (byte[] v : values("engagement_events.schemaless.tsv")) {
            Change<EngagementRow> c = decoder.decodeEngagement(v);
            if (c == null) {
                tombstones++;
            } else {
                changes.add(c);
            }
        }
        assertEquals(2, tombstones, "each delete is followed by a tombstone");
        Change<EngagementRow> first = changes.get(0);
        assertEquals(Op.CREATE, first.op());
        assertEquals(26412456L, first.lsn());
        assertEquals(732L, first.txId(), "source.txId: the row version's writer, as its xmin shows it");
        EngagementRow row = first.after();
        assertEquals(1L, row.id());
        assertEquals(UUID.fromString("11111111-1111-4111-8111-111111111111"), row.contentId());
        assertEquals("play", row.eventType());
        assertEquals(Instant.parse("2026-11-27T10:00:00.123456Z"), row.eventTs());
        assertEquals(30000, row.durationMs());
        assertEquals("ios", row.device());
        assertTrue(row.rawPayload().text().contains("\"nested\""), row.rawPayload().text());
        assertTrue(row.rawPayload().isEscapedBytes(), "raw_payload kept as the record's bytes, not decoded");
        assertEquals(row.rawPayload().text().hashCode(), row.rawPayload().hashCode());

        Change<EngagementRow> nullDuration = changes.get(1);
        assertNull(nullDuration.after().durationMs());
        assertNull(nullDuration.after().rawPayload());
        assertTrue(changes.stream().anyMatch(c -> c.after() != null && c.after().contentId() == null),
                "an event without content");

        List<Op> ops = changes.stream().map(Change::op).toList();
        assertTrue(ops.contains(Op.UPDATE) && ops.contains(Op.DELETE), ops.toString());
        for (Change<EngagementRow> c : changes) {
            if (c.op() == Op.UPDATE) {
                assertNotNull(c.before(), "REPLICA IDENTITY FULL gives the old row of an update");
            }
            if (c.op() == Op.DELETE) {
                assertNull(c.after());
                assertNotNull(c.before().eventTs(), "a delete carries the full old row");
            }
        }
        // The update that moves event_ts back one hour.
        assertTrue(changes.stream().anyMatch(c -> c.op() == Op.UPDATE
                && c.before().eventTs().minusSeconds(3600).equals(c.after().eventTs())));
    }

    @Test
    void decodesEnvelopesWithEmbeddedSchemasTheSameWay() throws IOException {
        List<Change<EngagementRow>> changes = new ArrayList<>();
        for (byte[] v : values("engagement_events.with-schemas.tsv")) {
            Change<EngagementRow> c = decoder.decodeEngagement(v);
            if (c != null) {
                changes.add(c);
            }
        }
        assertEquals(Op.READ, changes.get(0).op(), "a new connector starts with snapshot reads");
        assertTrue(changes.stream().allMatch(c -> c.lsn() > 0));
        assertTrue(changes.stream().map(Change::op).toList().containsAll(List.of(Op.READ, Op.CREATE, Op.UPDATE,
                Op.DELETE)));
    }

    @Test
    void decodesContentChangesIncludingNullAndZeroLength() throws IOException {
        List<Change<ContentRow>> changes = new ArrayList<>();
        for (String file : List.of("content.schemaless.tsv", "content.with-schemas.tsv")) {
            for (byte[] v : values(file)) {
                Change<ContentRow> c = decoder.decodeContent(v);
                if (c != null) {
                    changes.add(c);
                }
            }
        }
        ContentRow podcast = changes.get(0).after();
        assertEquals("intro-podcast", podcast.slug());
        assertEquals("podcast", podcast.contentType());
        assertEquals(1200, podcast.lengthSeconds());
        assertNull(changes.get(1).after().lengthSeconds());
        assertEquals(0, changes.get(2).after().lengthSeconds());
        Change<ContentRow> delete = changes.stream().filter(Change::isDelete).findFirst().orElseThrow();
        assertEquals("to-delete", delete.before().slug());
        assertTrue(changes.stream().anyMatch(c -> c.op() == Op.UPDATE
                && !c.before().title().equals(c.after().title())), "the title change");
    }

    @Test
    void rejectsMalformedRecordsWithAReason() {
        assertTrue(assertThrows(MalformedChangeException.class,
                () -> decoder.decodeEngagement("not json".getBytes(StandardCharsets.UTF_8))).getMessage()
                .startsWith("not JSON: Unrecognized token 'not'"));
        assertTrue(assertThrows(MalformedChangeException.class,
                () -> decoder.decodeEngagement("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).getMessage()
                .contains("no 'op'"));
        String badTs = "{\"op\":\"c\",\"source\":{\"lsn\":5},\"after\":{\"id\":1,\"event_ts\":\"yesterday\"}}";
        assertTrue(assertThrows(MalformedChangeException.class,
                () -> decoder.decodeEngagement(badTs.getBytes(StandardCharsets.UTF_8))).getMessage()
                .contains("'after': 'event_ts' is not an ISO-8601 instant"));
        String noLsn = "{\"op\":\"c\",\"source\":{},\"after\":{\"id\":1,\"event_ts\":\"2026-01-01T00:00:00Z\"}}";
        assertTrue(assertThrows(MalformedChangeException.class,
                () -> decoder.decodeEngagement(noLsn.getBytes(StandardCharsets.UTF_8))).getMessage()
                .contains("source.lsn"));
    }

    /** Every kind of bad input the decoder must refuse, each with its reason (BadInputs, shared with BadInputTest). */
    @Test
    void refusesEveryKindOfBadInputWithItsReason() {
        int checked = 0;
        for (BadInputs.Case bad : BadInputs.engagement()) {
            if (!bad.decoderCatch()) {
                continue;
            }
            MalformedChangeException e = assertThrows(MalformedChangeException.class,
                    () -> decoder.decodeEngagement(bad.value()), bad.name());
            assertTrue(e.getMessage().contains(bad.reason()), bad.name() + ": " + e.getMessage());
            checked++;
        }
        assertTrue(checked > 15, "checked " + checked);
    }

    @Test
    void aValidEnvelopeStillDecodesAndBadRangesAreLeftToTheProcessor() {
        Change<EngagementRow> ok = decoder.decodeEngagement(
                BadInputs.envelope(42, "2026-01-01T00:00:00Z", "").getBytes(StandardCharsets.UTF_8));
        assertEquals(42L, ok.after().id());
        assertNotNull(decoder.decodeEngagement(
                BadInputs.envelope(43, "2400-01-01T00:00:00Z", "").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsTheContentIdOfAKeyEvenWhenItsValueIsUnusable() {
        UUID id = UUID.fromString("11111111-1111-4111-8111-111111111111");
        assertEquals(id, decoder.contentKey(("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(id, decoder.contentKey(("{\"schema\":{},\"payload\":{\"id\":\"" + id + "\"}}")
                .getBytes(StandardCharsets.UTF_8)));
        assertNull(decoder.contentKey("{\"id\":\"1-1-1-1-1\"}".getBytes(StandardCharsets.UTF_8)));
        assertNull(decoder.contentKey("garbage".getBytes(StandardCharsets.UTF_8)));
        assertNull(decoder.contentKey(null));
    }
}
