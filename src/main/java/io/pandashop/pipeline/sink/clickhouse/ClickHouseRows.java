package io.pandashop.pipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows for one insert: the table, its column names, one value array per row (Long, Integer, Double, BigDecimal,
 * String, UUID, Instant or null, in column order).
 */
record ClickHouseRows(String table, List<String> columns, List<Object[]> rows) {

    /** Collects rows. */
    static final class Builder {
        private final String table;
        private final List<String> columns;
        private final List<Object[]> rows = new ArrayList<>();

        Builder(String table, List<String> columns) {
            this.table = table;
            this.columns = columns;
        }

        Builder row(Object... values) {
            if (values.length != columns.size()) {
                throw new IllegalArgumentException(table + ": " + values.length + " values for " + columns.size()
                        + " columns");
            }
            rows.add(values);
            return this;
        }

        ClickHouseRows build() {
            return new ClickHouseRows(table, columns, rows);
        }
    }
}
