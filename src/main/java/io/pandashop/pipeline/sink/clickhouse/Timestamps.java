package io.pandashop.pipeline.sink.clickhouse;

import static io.pandashop.pipeline.cdc.IsoInstants.put;
import static io.pandashop.pipeline.cdc.IsoInstants.putDateTime;

import java.time.Instant;

/**
 * DateTime64(3, 'UTC') text, "yyyy-MM-dd HH:mm:ss.SSS", the form ClickHouse parses in JSONEachRow without extra
 * settings. Written by hand: the general formatter was a visible cost per row. Years are 1900-2299 here
 * ({@link StorableRange}).
 */
final class Timestamps {

    private Timestamps() {
    }

    static String format(Instant instant) {
        if (instant == null) {
            return null;
        }
        long ms = instant.toEpochMilli();
        char[] c = new char[23];
        putDateTime(c, Math.floorDiv(ms, 1000L), ' ');
        c[19] = '.';
        put(c, 20, (int) Math.floorMod(ms, 1000L), 3);
        return new String(c);
    }

    /** What DateTime64(3) keeps of an instant: the sorting key compares at this precision. */
    static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}
