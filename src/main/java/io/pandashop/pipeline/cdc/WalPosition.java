package io.pandashop.pipeline.cdc;

/** PostgreSQL WAL positions as the 64-bit numbers Debezium reports in source.lsn. */
public final class WalPosition {

    private WalPosition() {
    }

    /** PostgreSQL's "XXXXXXXX/YYYYYYYY" text form. */
    public static long parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a WAL position: " + text);
        }
        long hi = Long.parseLong(text.substring(0, slash), 16);
        long lo = Long.parseLong(text.substring(slash + 1), 16);
        return (hi << 32) | lo;
    }
}
