package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.jdbc.WriterStatementImpl;
import io.agroal.api.AgroalDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.pandashop.pipeline.health.StageThreads;
import io.vertx.core.Context;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one ClickHouse insert path: a JDBC batch through the Agroal datasource "clickhouse" (clickhouse-jdbc), which the
 * driver writes as RowBinary ({@code beta.row_binary_for_simple_insert=true}): values go out in ClickHouse's binary
 * layout, no SQL text is built or escaped. One insert per call, off the event loop, synchronous
 * ({@code async_insert=0}); it fails when ClickHouse does not take it, and the caller retries the same rows.
 * <p>
 * Insert deduplication is off ({@code insert_deduplicate=0}, no token): on a non-replicated MergeTree the
 * deduplication log can keep an insert's entry while a SIGKILL loses its part, and the retry was then dropped as a
 * duplicate (OutageTest lost 361 rows that way once). A retried insert may store its rows twice;
 * ReplacingMergeTree(version) and FINAL (the _current views) collapse them. Both settings are the datasource's
 * (application.properties): the driver's RowBinary statement sends no per-statement settings.
 * <p>
 * The driver sends {@code INSERT INTO t FORMAT RowBinary[WithDefaults]} without a column list, so the statement
 * must name every column of the table, in the table's order: the columns are read from ClickHouse once per table
 * (again after any failed insert), and a column the rows do not carry (enriched_engagements.loaded_at) goes as
 * "use the column's DEFAULT". A table that has a column without a default that the rows lack, or lacks one they
 * carry, is an outage (IllegalStateException: waited for, named in readiness), never a refusal of the rows.
 */
@Singleton
public class RowsInserter {

    private static final Logger LOG = Logger.getLogger(RowsInserter.class);

    private final DataSource dataSource;
    private final StageThreads threads;
    private final Map<String, Layout> layouts = new ConcurrentHashMap<>();
    private volatile boolean warnedNotRowBinary;

    @Inject
    RowsInserter(@io.quarkus.agroal.DataSource("clickhouse") AgroalDataSource dataSource, StageThreads threads) {
        this.dataSource = dataSource;
        this.threads = threads;
    }

    RowsInserter(DataSource dataSource) {
        this.dataSource = dataSource;
        this.threads = StageThreads.unregistered();
    }

    /** The statement for one table: its SQL, and for each of its parameters the rows' column (-1: the default). */
    private record Layout(String sql, int[] source) {
    }

    /**
     * Blocking (JDBC): runs on the calling thread when that is not an event loop (the fan-out calls it on a worker
     * already, and a second hop would carry no work), on the worker pool otherwise.
     */
    public Uni<Void> insert(ClickHouseRows rows) {
        Uni<Void> insert = Uni.createFrom().item(() -> insertNow(rows));
        return Uni.createFrom().deferred(() -> Context.isOnEventLoopThread()
                ? insert.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : insert);
    }

    private Void insertNow(ClickHouseRows rows) {
        threads.running(StageThreads.Stage.CLICKHOUSE_INSERT);
        if (rows.rows().isEmpty()) {
            return null; // the driver would send an insert without rows
        }
        String key = rows.table() + rows.columns();
        try (Connection c = dataSource.getConnection()) {
            Layout layout = layouts.get(key);
            if (layout == null) {
                layout = layout(c, rows.table(), rows.columns());
                layouts.put(key, layout);
            }
            try (PreparedStatement ps = c.prepareStatement(layout.sql())) {
                checkRowBinary(ps);
                int[] source = layout.source();
                for (Object[] row : rows.rows()) {
                    for (int i = 0; i < source.length; i++) {
                        Object v = source[i] < 0 ? null : row[source[i]];
                        if (v == null) {
                            ps.setNull(i + 1, Types.NULL);
                        } else {
                            ps.setObject(i + 1, v);
                        }
                    }
                    ps.addBatch();
                }
                ps.executeBatch(); // one request; the statement (and its buffer) is closed with it
            }
        } catch (SQLException | RuntimeException e) {
            layouts.remove(key); // read the table's columns again before the retry: it may have changed
            throw ClickHouseFailures.of(rows.table(), e);
        }
        return null;
    }

    /** The table's insertable columns in order (DESCRIBE), each mapped to the rows' column of that name. */
    static Layout layout(Connection c, String table, List<String> columns) throws SQLException {
        List<String> names = new ArrayList<>();
        List<Integer> source = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE TABLE " + table)) {
            while (rs.next()) {
                String name = rs.getString("name");
                String defaultType = rs.getString("default_type");
                if ("MATERIALIZED".equals(defaultType) || "ALIAS".equals(defaultType)) {
                    continue; // not insertable: the driver skips them too
                }
                int index = columns.indexOf(name);
                if (index < 0 && !"DEFAULT".equals(defaultType)) {
                    throw new IllegalStateException("table " + table + " has a column " + name
                            + " without a default that the service does not write");
                }
                names.add(name);
                source.add(index);
            }
        }
        for (String column : columns) {
            if (!names.contains(column)) {
                throw new IllegalStateException("table " + table + " has no column " + column);
            }
        }
        String sql = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                + String.join(", ", Collections.nCopies(names.size(), "?")) + ")";
        return new Layout(sql, source.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Without beta.row_binary_for_simple_insert the driver sends the batch as SQL text: correct, but slower. */
    private void checkRowBinary(PreparedStatement ps) throws SQLException {
        if (!warnedNotRowBinary && !ps.isWrapperFor(WriterStatementImpl.class)) {
            warnedNotRowBinary = true;
            LOG.warn("ClickHouse inserts go as SQL text, not RowBinary: the datasource lacks "
                    + "beta.row_binary_for_simple_insert=true");
        }
    }

    /** An insert that did not go through. */
    public static class ClickHouseWriteException extends RuntimeException {
        ClickHouseWriteException(String table, Throwable cause) {
            super("insert into " + table + " failed: " + cause.getMessage(), cause, false, false);
        }
    }
}
