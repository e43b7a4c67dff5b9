package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.data_formats.RowBinaryFormatWriter;
import com.clickhouse.client.api.metadata.TableSchema;
import com.clickhouse.data.ClickHouseColumn;
import com.clickhouse.data.ClickHouseFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written encoder must produce byte for byte what ClickHouse's own client writes for the same rows. */
class RowBinaryEncoderTest {

    /** The columns of app.enriched_engagements the fact sink inserts, as ClickHouse describes them. */
    private static final List<ClickHouseColumn> FACTS = List.of(
            ClickHouseColumn.of("event_id", "UInt64"),
            ClickHouseColumn.of("content_id", "Nullable(UUID)"),
            ClickHouseColumn.of("user_id", "Nullable(UUID)"),
            ClickHouseColumn.of("event_type", "LowCardinality(Nullable(String))"),
            ClickHouseColumn.of("event_ts", "DateTime64(3, 'UTC')"),
            ClickHouseColumn.of("duration_ms", "Nullable(Int32)"),
            ClickHouseColumn.of("device", "Nullable(String)"),
            ClickHouseColumn.of("engagement_seconds", "Nullable(Float64)"),
            ClickHouseColumn.of("engagement_percent", "Nullable(Float64)"),
            ClickHouseColumn.of("content_slug", "Nullable(String)"),
            ClickHouseColumn.of("content_title", "Nullable(String)"),
            ClickHouseColumn.of("content_type", "LowCardinality(Nullable(String))"),
            ClickHouseColumn.of("length_seconds", "Nullable(Int32)"),
            ClickHouseColumn.of("publish_ts", "Nullable(DateTime64(3, 'UTC'))"),
            ClickHouseColumn.of("version", "UInt64"),
            ClickHouseColumn.of("is_deleted", "UInt8"));

    private static final List<ClickHouseColumn> CONTENT = List.of(
            ClickHouseColumn.of("id", "UUID"),
            ClickHouseColumn.of("slug", "String"),
            ClickHouseColumn.of("title", "String"),
            ClickHouseColumn.of("content_type", "LowCardinality(String)"),
            ClickHouseColumn.of("length_seconds", "Nullable(Int32)"),
            ClickHouseColumn.of("publish_ts", "DateTime64(3, 'UTC')"),
            ClickHouseColumn.of("version_ts_ms", "UInt64"),
            ClickHouseColumn.of("version", "UInt64"),
            ClickHouseColumn.of("is_deleted", "UInt8"));

    @Test
    void factRowsAreWhatTheClientWrites() throws Exception {
        Random random = new Random(5);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            boolean deletedRow = i % 10 == 0;
            rows.add(new Object[] {random.nextLong(1, Long.MAX_VALUE), maybe(random, UUID.randomUUID()),
                    deletedRow ? null : maybe(random, UUID.randomUUID()), deletedRow ? null : maybe(random, "play"),
                    instant(random), deletedRow ? null : maybe(random, random.nextInt()),
                    deletedRow ? null : maybe(random, "mobile ü " + "x".repeat(random.nextInt(300))),
                    deletedRow ? null : maybe(random, random.nextDouble() * 1000),
                    deletedRow ? null : maybe(random, BigDecimal.valueOf(random.nextInt(10_001), 2)),
                    maybe(random, "slug-" + i), maybe(random, "A title «" + i + "»"), maybe(random, "video"),
                    maybe(random, random.nextInt(0, 100_000)), maybe(random, instant(random)),
                    random.nextLong(0, Long.MAX_VALUE), deletedRow ? 1 : 0});
        }
        assertArrayEquals(clientBytes(FACTS, rows), encoderBytes(FACTS, rows));
    }

    @Test
    void contentRowsAreWhatTheClientWrites() throws Exception {
        Random random = new Random(6);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(new Object[] {UUID.randomUUID(), "slug-" + i, i % 7 == 0 ? "" : "Title " + i, "article",
                    maybe(random, random.nextInt(0, 10_000)), instant(random), random.nextLong(0, 2_000_000_000_000L),
                    random.nextLong(0, Long.MAX_VALUE), i % 5 == 0 ? 1 : 0});
        }
        assertArrayEquals(clientBytes(CONTENT, rows), encoderBytes(CONTENT, rows));
    }

    @Test
    void refusesWhatItCannotWrite() {
        IllegalStateException unsupported = assertThrows(IllegalStateException.class,
                () -> new RowBinaryEncoder(List.of(ClickHouseColumn.of("tags", "Array(String)"))));
        assertTrue(unsupported.getMessage().contains("tags"), unsupported.getMessage());
        RowBinaryEncoder encoder = new RowBinaryEncoder(List.of(ClickHouseColumn.of("version", "UInt64")));
        List<Object[]> nullInNonNullable = List.<Object[]>of(new Object[] {null});
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> encoder.write(nullInNonNullable, new ByteArrayOutputStream()));
        assertTrue(refused.getMessage().contains("version"), refused.getMessage());
    }

    private static byte[] encoderBytes(List<ClickHouseColumn> columns, List<Object[]> rows) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RowBinaryEncoder(columns).write(rows, out);
        return out.toByteArray();
    }

    /** The client's general writer, given values in the forms it takes. */
    private static byte[] clientBytes(List<ClickHouseColumn> columns, List<Object[]> rows) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RowBinaryFormatWriter writer = new RowBinaryFormatWriter(out, new TableSchema(columns), ClickHouseFormat.RowBinary);
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                Object v = row[i];
                if (v instanceof Instant t) {
                    v = t.atZone(ZoneOffset.UTC);
                } else if (v instanceof BigDecimal d) {
                    v = d.doubleValue();
                }
                writer.setValue(columns.get(i).getColumnName(), v);
            }
            writer.commitRow();
        }
        return out.toByteArray();
    }

    private static <T> T maybe(Random random, T value) {
        return random.nextInt(8) == 0 ? null : value;
    }

    /** Microsecond instants between 1900 and 2299 (what the sinks store), before and after the epoch. */
    private static Instant instant(Random random) {
        long micros = random.nextLong(-2_208_988_800_000_000L, 10_413_791_999_000_000L);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
