package io.pandashop.pipeline.sink.clickhouse;

import io.smallrye.mutiny.Uni;

/**
 * Inserts one batch of rows with its deduplication token, off the event loop; fails when ClickHouse does not take
 * it (the caller retries the same rows with the same token). Three implementations, chosen by
 * pipeline.clickhouse.insert-client: RowBinary or JSONEachRow through client-v2, or JDBC batches through the
 * Agroal datasource.
 */
public interface RowsInserter {

    Uni<Void> insert(ClickHouseRows rows);

    /** An insert that did not go through. */
    class ClickHouseWriteException extends RuntimeException {
        ClickHouseWriteException(String table, Throwable cause) {
            super("insert into " + table + " failed: " + cause.getMessage(), cause, false, false);
        }
    }
}
