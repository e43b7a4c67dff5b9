package io.pandashop.pipeline.sink.clickhouse;

import javax.sql.DataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * PROTOTYPE for the measurement: inserts through the Agroal datasource with the driver's RowBinary writer
 * (beta.row_binary_for_simple_insert). The driver sends INSERT INTO t FORMAT RowBinary[WithDefaults] without a
 * column list, so the statement names every column of the table in table order (loaded_at: null, its DEFAULT).
 */
final class JdbcRowsInserter implements RowsInserter {

    private final DataSource dataSource;

    JdbcRowsInserter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Uni<Void> insert(ClickHouseRows rows) {
        return Uni.createFrom().<Void>item(() -> {
            if (rows.rows().isEmpty()) {
                return null;
            }
            List<String> columns = new ArrayList<>(rows.columns());
            int defaulted = -1;
            if (rows.table().equals("enriched_engagements") && !columns.contains("loaded_at")) {
                defaulted = columns.indexOf("version");
                columns.add(defaulted, "loaded_at");
            }
            String sql = "INSERT INTO " + rows.table() + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                for (Object[] row : rows.rows()) {
                    int p = 1;
                    for (int i = 0; i < row.length; i++) {
                        if (i == defaulted) {
                            ps.setNull(p++, Types.NULL);
                        }
                        Object v = row[i];
                        if (v == null) {
                            ps.setNull(p++, Types.NULL);
                        } else if (v instanceof java.math.BigDecimal d) {
                            ps.setDouble(p++, d.doubleValue());
                        } else {
                            ps.setObject(p++, v);
                        }
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (SQLException | RuntimeException e) {
                throw ClickHouseFailures.of(rows.table(), e);
            }
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
