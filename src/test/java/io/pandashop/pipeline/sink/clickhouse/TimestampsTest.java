package io.pandashop.pipeline.sink.clickhouse;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimestampsTest {

    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    @Test
    void formatsAsTheJdkFormatterDoesAcrossTheStorableRange() {
        Random random = new Random(11);
        long min = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
        long max = Instant.parse("2299-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochMilli(random.nextLong(min, max)).plusNanos(random.nextInt(1_000_000));
            assertEquals(REFERENCE.format(t), Timestamps.format(t), t.toString());
        }
        assertEquals("1969-12-31 23:59:59.999", Timestamps.format(Instant.parse("1969-12-31T23:59:59.999999Z")));
    }
}
