package io.pandashop.pipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows for one insert: the table (in the datasource's database), its column names, one value array per row in column
 * order, each value of the Java type clickhouse-jdbc's RowBinary writer takes for the column: Long (UInt64), Integer
 * (Int32, UInt8), Double (Float64), BigDecimal (Decimal), String, UUID, Instant (DateTime64) or null (Nullable).
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
