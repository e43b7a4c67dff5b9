package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.data.ClickHouseColumn;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Writes rows in ClickHouse's RowBinary layout for the column types our tables use, straight into one byte array.
 * The client's general writer converted every timestamp through a zoned date-time and looked each value's
 * serializer up per cell (10 % of the service's CPU in the drain profile); this writer is chosen once per column.
 * A column of another type is refused when the encoder is built, naming it.
 */
final class RowBinaryEncoder {

    private final List<ClickHouseColumn> columns;
    private final ValueWriter[] writers;

    RowBinaryEncoder(List<ClickHouseColumn> columns) {
        this.columns = columns;
        this.writers = new ValueWriter[columns.size()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = writerFor(columns.get(i));
        }
    }

    /** @param rows values in column order, as {@link ClickHouseRows} describes them */
    void write(List<Object[]> rows, OutputStream out) throws IOException {
        Bytes bytes = new Bytes(Math.max(1024, rows.size() * 320)); // a fact row is ~200-300 bytes: no regrowth
        for (Object[] row : rows) {
            for (int i = 0; i < writers.length; i++) {
                Object value = row[i];
                ClickHouseColumn column = columns.get(i);
                if (column.isNullable()) {
                    bytes.u8(value == null ? 1 : 0);
                    if (value == null) {
                        continue;
                    }
                } else if (value == null) {
                    throw new IllegalArgumentException("column " + column.getColumnName() + " is not Nullable: null given");
                }
                writers[i].write(bytes, value);
            }
        }
        out.write(bytes.array, 0, bytes.size);
    }

    @FunctionalInterface
    private interface ValueWriter {
        void write(Bytes out, Object value);
    }

    private static ValueWriter writerFor(ClickHouseColumn column) {
        return switch (column.getDataType()) {
            case UInt8, Int8, Bool -> (out, v) -> out.u8(((Number) v).intValue());
            case Int32, UInt32 -> (out, v) -> out.i32(((Number) v).intValue());
            case Int64, UInt64 -> (out, v) -> out.i64(((Number) v).longValue());
            case Float64 -> (out, v) -> out.i64(Double.doubleToRawLongBits(v instanceof BigDecimal d
                    ? d.doubleValue() : ((Number) v).doubleValue()));
            case String -> (out, v) -> out.string(v.toString());
            case UUID -> (out, v) -> {
                UUID u = (UUID) v;
                out.i64(u.getMostSignificantBits());
                out.i64(u.getLeastSignificantBits());
            };
            case DateTime64 -> dateTime64(column.getScale());
            case DateTime, DateTime32 -> (out, v) -> out.i32((int) ((Instant) v).getEpochSecond());
            default -> throw new IllegalStateException("column " + column.getColumnName() + " has type "
                    + column.getOriginalTypeName() + ", which the RowBinary encoder does not write");
        };
    }

    /** Ticks of 10^-scale seconds since the epoch, truncated toward negative infinity as ClickHouse's own client does. */
    private static ValueWriter dateTime64(int scale) {
        long ticksPerSecond = pow10(scale);
        long nanosPerTick = pow10(9 - scale);
        return (out, v) -> {
            Instant t = (Instant) v;
            out.i64(t.getEpochSecond() * ticksPerSecond + t.getNano() / nanosPerTick);
        };
    }

    private static long pow10(int exponent) {
        long p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= 10;
        }
        return p;
    }

    /** A growing little-endian byte buffer. */
    private static final class Bytes {
        private byte[] array;
        private int size;

        Bytes(int capacity) {
            array = new byte[capacity];
        }

        private void ensure(int more) {
            if (size + more > array.length) {
                array = java.util.Arrays.copyOf(array, Math.max(array.length * 2, size + more));
            }
        }

        void u8(int v) {
            ensure(1);
            array[size++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) {
                array[size++] = (byte) (v >>> (8 * i));
            }
        }

        void i64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                array[size++] = (byte) (v >>> (8 * i));
            }
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            ensure(utf8.length + 5);
            int length = utf8.length;
            while ((length & ~0x7F) != 0) { // LEB128 length
                array[size++] = (byte) ((length & 0x7F) | 0x80);
                length >>>= 7;
            }
            array[size++] = (byte) length;
            System.arraycopy(utf8, 0, array, size, utf8.length);
            size += utf8.length;
        }
    }
}
