package io.pandashop.pipeline.sink.clickhouse;

import java.time.Instant;

/** DateTime64(3, 'UTC'), the type of our timestamp columns: what it keeps of an instant. */
final class Timestamps {

    private Timestamps() {
    }

    /** Milliseconds since the epoch, as DateTime64(3) stores them: the sorting key compares at this precision. */
    static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}
