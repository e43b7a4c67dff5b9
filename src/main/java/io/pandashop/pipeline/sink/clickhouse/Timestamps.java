package io.pandashop.pipeline.sink.clickhouse;

import static io.pandashop.pipeline.cdc.IsoInstants.put;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

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
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000L), 0, ZoneOffset.UTC);
        char[] c = new char[23];
        put(c, 0, t.getYear(), 4);
        c[4] = '-';
        put(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        put(c, 8, t.getDayOfMonth(), 2);
        c[10] = ' ';
        put(c, 11, t.getHour(), 2);
        c[13] = ':';
        put(c, 14, t.getMinute(), 2);
        c[16] = ':';
        put(c, 17, t.getSecond(), 2);
        c[19] = '.';
        put(c, 20, (int) Math.floorMod(ms, 1000L), 3);
        return new String(c);
    }

    /** What DateTime64(3) keeps of an instant: the sorting key compares at this precision. */
    static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}
