package io.pandashop.pipeline.cdc;


import java.time.Instant;

/**
 * What DateTime64(3) can hold. PostgreSQL accepts timestamps far outside it; such a row would make every retry
 * of its batch fail, so it is refused up front and parked on the dead-letter topic instead of stalling the
 * pipeline.
 */
public final class StorableRange {

    private static final Instant MIN = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("2299-12-31T23:59:59.999Z");

    private StorableRange() {
    }

    public static boolean holds(Instant value) {
        return value == null || !(value.isBefore(MIN) || value.isAfter(MAX));
    }

    public static void require(String field, Instant value) {
        if (!holds(value)) {
            throw new MalformedChangeException("'" + field + "' " + value
                    + " is outside what ClickHouse DateTime64 stores (1900-01-01 to 2299-12-31)");
        }
    }
}
