package io.pandashop.pipeline.cdc;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The parser's UUIDs, read from characters without a String, are the JDK's for canonical text, and nothing else. */
class UuidsTest {

    @Test
    void canonicalTextGivesTheSameUuidAsTheJdk() {
        Random random = new Random(17);
        for (int i = 0; i < 10_000; i++) {
            UUID expected = new UUID(random.nextLong(), random.nextLong());
            String text = "xx" + expected + "yy"; // at an offset, as in a parser's buffer
            assertEquals(expected, Uuids.parse(text.toCharArray(), 2, 36), text);
            assertEquals(expected, Uuids.parse(text.toUpperCase().toCharArray(), 2, 36), text);
        }
    }

    @Test
    void writtenAsTheJdkWritesThem() {
        Random random = new Random(19);
        byte[] b = new byte[Uuids.LENGTH + 4];
        for (int i = 0; i < 10_000; i++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            assertEquals(id.toString(), new String(b, 0, Uuids.formatInto(id, b), StandardCharsets.US_ASCII));
            assertEquals(id.toString(), new String(Uuids.asciiBytes(id), StandardCharsets.US_ASCII));
        }
        UUID edges = new UUID(0L, -1L);
        assertEquals(edges.toString(), new String(b, 0, Uuids.formatInto(edges, b), StandardCharsets.US_ASCII));
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"1-1-1-1-1", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa",
                "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaaa", "aaaaaaaaa-aaa-4aaa-8aaa-aaaaaaaaaaaa",
                "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaag", "aaaaaaaa_aaaa_4aaa_8aaa_aaaaaaaaaaaa",
                "+aaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "\uff10aaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", ""}) {
            assertNull(Uuids.parse(bad.toCharArray(), 0, bad.length()), bad);
        }
    }
}
