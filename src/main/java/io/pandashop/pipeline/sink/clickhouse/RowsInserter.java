package io.pandashop.pipeline.sink.clickhouse;

import io.smallrye.mutiny.Uni;

/**
 * Inserts one batch of rows, off the event loop, synchronously (async_insert=0); fails when ClickHouse does not take
 * it, and the caller retries the same rows. Insert deduplication is off (insert_deduplicate=0, no token): on a
 * non-replicated MergeTree the deduplication log can keep an insert's entry while a SIGKILL loses its part, and the
 * retry was then dropped as a duplicate (OutageTest lost 361 rows that way once). A retried insert may store its
 * rows twice; ReplacingMergeTree(version) and FINAL (the _current views) collapse them. Three implementations,
 * chosen by pipeline.clickhouse.insert-client: RowBinary or JSONEachRow through client-v2, or JDBC batches through
 * the Agroal datasource.
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
