package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.jdbc.StatementImpl;
import io.agroal.api.AgroalDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Collections;

/**
 * Inserts rows as one JDBC batch (clickhouse-jdbc sends it as one multi-row INSERT ... VALUES request) through the
 * pooled Agroal datasource. Its settings (insert_deduplicate=0) are those of that statement only: a connection-level
 * setting would apply to every later request on the pooled connection.
 */
final class JdbcRowsInserter implements RowsInserter {


    private final AgroalDataSource dataSource;

    JdbcRowsInserter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Uni<Void> insert(ClickHouseRows rows) {
        return Uni.createFrom().<Void>item(() -> {
            if (rows.rows().isEmpty()) {
                return null; // the driver would send an INSERT without rows
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql(rows))) {
                QuerySettings settings = ps.unwrap(StatementImpl.class).getLocalSettings();
                settings.serverSetting("insert_deduplicate", "0"); // RowsInserter: why no deduplication
                for (Object[] row : rows.rows()) {
                    for (int i = 0; i < row.length; i++) {
                        bind(ps, i + 1, row[i]);
                    }
                    ps.addBatch();
                }
                ps.executeBatch(); // the statement (and its settings) is closed with this insert
            } catch (SQLException e) {
                throw ClickHouseFailures.of(rows.table(), e);
            }
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static String sql(ClickHouseRows rows) {
        return "INSERT INTO " + rows.table() + " (" + String.join(", ", rows.columns()) + ") VALUES ("
                + String.join(", ", Collections.nCopies(rows.columns().size(), "?")) + ")";
    }

    /** Timestamps go as DateTime64 text, so the server's fast VALUES parser reads them without expressions. */
    private static void bind(PreparedStatement ps, int index, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.NULL);
        } else if (v instanceof Instant t) {
            ps.setString(index, Timestamps.format(t));
        } else if (v instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (v instanceof String s) {
            ps.setString(index, s);
        } else {
            ps.setObject(index, v);
        }
    }
}
