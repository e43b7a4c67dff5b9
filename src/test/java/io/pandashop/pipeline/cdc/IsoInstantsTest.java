package io.pandashop.pipeline.cdc;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IsoInstantsTest {

    @Test
    void agreesWithTheJdkParser() {
        for (String s : List.of("2026-11-27T10:00:00.123456Z", "2026-11-27T10:00:00Z", "1970-01-01T00:00:00.000000Z",
                "1969-12-31T23:59:59.999999Z", "2024-02-29T23:59:59.1Z", "2400-01-01T00:00:00Z",
                "1850-06-15T12:30:45.123456789Z")) {
            assertEquals(Instant.parse(s), IsoInstants.parse(s), s);
        }
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 8_000_000_000L),
                    random.nextInt(1_000_000) * 1000L);
            assertEquals(t, IsoInstants.parse(t.toString()), t.toString());
        }
        assertEquals(OffsetDateTime.parse("2026-11-27T12:00:00+02:00").toInstant(),
                IsoInstants.parse("2026-11-27T12:00:00+02:00"));
        assertEquals(Instant.parse("+12345-01-01T00:00:00Z"), IsoInstants.parse("+12345-01-01T00:00:00Z"));
    }

    @Test
    void formatsAsTheJdkDoes() {
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-40_000_000_000L, 260_000_000_000L); // years about 700 to 10200
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            assertEquals(t.toString(), format(t));
        }
        for (String s : List.of("1000-01-01T00:00:00Z", "0999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999999999Z",
                "+10000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.000001Z")) {
            assertEquals(s, format(Instant.parse(s)));
        }
    }

    /**
     * What the JSON writers write: formatInto's ASCII, or Instant.toString() where it declines, which it must
     * exactly for the years outside 1000-9999 (a sign or a fifth digit).
     */
    private static String format(Instant t) {
        byte[] b = new byte[IsoInstants.MAX_LENGTH];
        int length = IsoInstants.formatInto(t, b);
        int year = t.atZone(java.time.ZoneOffset.UTC).getYear();
        assertEquals(year < 1000 || year > 9999, length < 0, t.toString());
        return length < 0 ? t.toString() : new String(b, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
