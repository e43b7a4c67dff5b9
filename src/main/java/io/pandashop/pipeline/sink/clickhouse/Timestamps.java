package io.pandashop.pipeline.sink.clickhouse;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** DateTime64(3, 'UTC') text, the form ClickHouse parses in JSONEachRow without extra settings. */
final class Timestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    /** What DateTime64(3) keeps of an instant: the sorting key compares at this precision. */
    static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}
