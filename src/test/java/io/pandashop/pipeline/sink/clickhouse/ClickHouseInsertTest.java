package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.jdbc.DataSourceImpl;
import io.pandashop.pipeline.cdc.JsonText;
import io.pandashop.pipeline.cdc.Op;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.clickhouse.RowsInserter.ClickHouseWriteException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The insert path against a real ClickHouse: what the driver's RowBinary writer stores for each column type our tables
 * use, read back exactly; the error codes ClickHouseFailures classifies, as the driver reports them; the schema in a
 * database of its own (pipeline.clickhouse.database). The datasource has application.properties' driver properties.
 * It uses CLICKHOUSE_TEST_URL, else the test stack's ClickHouse (CLICKHOUSE_HTTP_PORT, 18123), in a database of its
 * own that it drops afterwards. Without a ClickHouse there it fails and says so (deploy/local/test.sh starts one).
 */
class ClickHouseInsertTest {

    private static String url;
    private static String database;
    private static DataSourceImpl dataSource;

    @BeforeAll
    static void schema() throws Exception {
        url = System.getenv().getOrDefault("CLICKHOUSE_TEST_URL",
                "http://127.0.0.1:" + System.getenv().getOrDefault("CLICKHOUSE_HTTP_PORT", "18123"));
        assertTrue(answers(url), "no ClickHouse answers at " + url + ": run the tests with deploy/local/test.sh, which"
                + " starts the test stack, or set CLICKHOUSE_TEST_URL");
        database = "pipeline_unit_" + Long.toHexString(System.nanoTime());
        dataSource = new DataSourceImpl("jdbc:clickhouse:" + url + "/" + database, driverProperties());
        // The database does not exist yet: the connection names it all the same, as the service's does.
        try (Connection c = dataSource.getConnection()) {
            ClickHouseSchema.apply(c, ClickHouseSchema.statements(database));
            ClickHouseSchema.apply(c, ClickHouseSchema.statements(database)); // idempotent
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE checked (id UInt64, v Int32, CONSTRAINT positive CHECK v > 0) "
                        + "ENGINE = MergeTree ORDER BY id");
                s.execute("CREATE TABLE decimals (id UInt64, d Decimal(18, 4), n Nullable(Decimal(38, 10))) "
                        + "ENGINE = MergeTree ORDER BY id");
            }
        }
    }

    @AfterAll
    static void drop() throws Exception {
        if (dataSource != null) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database);
            }
        }
    }

    @Test
    void factRowsAreStoredExactly() throws Exception {
        UUID content = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        UUID user = new UUID(-1L, 1L); // both halves' sign bits
        String long300 = "é".repeat(150); // 300 UTF-8 bytes: a two-byte length prefix
        EnrichedEvent full = new EnrichedEvent(1L, content, user, "play",
                Instant.parse("2026-12-01T10:00:00.123456789Z"), 61_000, "ios", JsonText.of("{}"), 61.0,
                new BigDecimal("55.45"), "slug-" + long300, "Title ✓", "video", 110,
                Instant.parse("1900-01-01T00:00:00.001Z"));
        EnrichedEvent sparse = new EnrichedEvent(2L, null, null, null, Instant.parse("1969-12-31T23:59:59.999Z"),
                null, null, null, null, null, null, null, null, null, null);
        EnrichedEvent late = new EnrichedEvent(3L, content, null, "", Instant.parse("2299-12-31T23:59:59.999Z"),
                0, "", null, 0.0, BigDecimal.ZERO, "", "", "", 0, Instant.parse("2299-12-31T23:59:59.999Z"));
        EnrichedEvent moved = new EnrichedEvent(4L, content, user, "pause", Instant.parse("2026-12-02T00:00:00Z"),
                1, "web", null, 0.001, new BigDecimal("0.01"), null, null, null, null, null);
        List<FactChange> changes = List.of(
                new FactChange(1L, Op.CREATE, Long.MAX_VALUE, 0, 1, full, null),
                new FactChange(2L, Op.CREATE, 7L, 0, 1, sparse, null),
                new FactChange(3L, Op.READ, 8L, 0, 1, late, null),
                // an update that moves event_ts: a deleted row under the old key, then the new row
                new FactChange(4L, Op.UPDATE, 9L, 0, 1, moved, withTs(moved, Instant.parse("2026-12-01T00:00:00Z"))));
        List<ClickHouseRows> inserts = ClickHouseFactSink.rows(changes, 100);
        assertEquals(1, inserts.size());
        RowsInserter inserter = new RowsInserter(dataSource);
        inserter.insert(inserts.get(0)).await().indefinitely();

        List<String> stored = query("""
                SELECT event_id, toString(content_id), toString(user_id), event_type, toTypeName(event_type),
                       toUnixTimestamp64Milli(event_ts), duration_ms, device, engagement_seconds,
                       toString(engagement_percent), content_slug, content_title, content_type,
                       length_seconds, toUnixTimestamp64Milli(publish_ts), version, is_deleted,
                       loaded_at > now() - INTERVAL 1 HOUR
                FROM enriched_engagements WHERE event_id < 1000 ORDER BY event_id, version, is_deleted""");
        assertEquals(List.of(
                "1|0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0|ffffffff-ffff-ffff-0000-000000000001|play"
                        + "|LowCardinality(Nullable(String))|" + Instant.parse("2026-12-01T10:00:00.123Z").toEpochMilli()
                        + "|61000|ios|61.0|55.45|slug-" + long300 + "|Title ✓|video|110|"
                        + Instant.parse("1900-01-01T00:00:00.001Z").toEpochMilli() + "|" + Long.MAX_VALUE + "|0|1",
                "2|null|null|null|LowCardinality(Nullable(String))|-1|null|null|null|null|null|null|null|null|null|7|0|1",
                "3|0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0|null||LowCardinality(Nullable(String))|"
                        + Instant.parse("2299-12-31T23:59:59.999Z").toEpochMilli() + "|0||0.0|0||||0|"
                        + Instant.parse("2299-12-31T23:59:59.999Z").toEpochMilli() + "|8|0|1",
                "4|0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0|ffffffff-ffff-ffff-0000-000000000001|pause"
                        + "|LowCardinality(Nullable(String))|" + Instant.parse("2026-12-02T00:00:00Z").toEpochMilli()
                        + "|1|web|0.001|0.01|null|null|null|null|null|9|0|1",
                "4|0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0|null|null|LowCardinality(Nullable(String))|"
                        + Instant.parse("2026-12-01T00:00:00Z").toEpochMilli()
                        + "|null|null|null|null|null|null|null|null|null|9|1|1"), stored);
        assertEquals(List.of("1", "2", "3", "4"),
                query("SELECT event_id FROM enriched_engagements_current WHERE event_id < 1000 ORDER BY event_id"));
    }

    @Test
    void contentRowsAreStoredExactly() throws Exception {
        UUID id = UUID.fromString("00000000-0000-0001-8000-000000000002");
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder(ClickHouseContentSink.TABLE, ClickHouseContentSink.COLUMNS);
        rows.row(id, "a-slug", "Ünïcode", "podcast", null, Instant.parse("2024-02-29T12:34:56.789Z"),
                1_700_000_000_123L, 42L, 1);
        new RowsInserter(dataSource).insert(rows.build()).await().indefinitely();
        assertEquals(List.of("00000000-0000-0001-8000-000000000002|a-slug|Ünïcode|podcast|LowCardinality(String)|null|"
                        + Instant.parse("2024-02-29T12:34:56.789Z").toEpochMilli() + "|1700000000123|42|1"),
                query("SELECT toString(id), slug, title, content_type, toTypeName(content_type), length_seconds, "
                        + "toUnixTimestamp64Milli(publish_ts), version_ts_ms, version, is_deleted FROM content_dim"));
    }

    @Test
    void decimalsAreStoredExactly() throws Exception {
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder("decimals", List.of("id", "d", "n"));
        rows.row(1L, new BigDecimal("-12345678901234.5678"), new BigDecimal("1234567890123456789012345678.0123456789"));
        rows.row(2L, new BigDecimal("0.0001"), null);
        new RowsInserter(dataSource).insert(rows.build()).await().indefinitely();
        assertEquals(List.of("1|-12345678901234.5678|1234567890123456789012345678.0123456789", "2|0.0001|null"),
                query("SELECT id, toString(d), toString(n) FROM decimals ORDER BY id"));
    }

    /** The driver's SQLException carries ClickHouse's code, and the classification reads it from there. */
    @Test
    void aRefusedInsertKeepsClickHousesErrorCode() throws Exception {
        SQLException refused;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO checked (id, v) VALUES (?, ?)")) {
            ps.setObject(1, 1L);
            ps.setObject(2, -1);
            ps.addBatch();
            refused = assertThrows(SQLException.class, ps::executeBatch);
        }
        assertEquals(469, refused.getErrorCode()); // VIOLATED_CONSTRAINT
        assertEquals(469, ClickHouseFailures.code(refused, "")); // without the message
        assertInstanceOf(RejectedWrite.class, ClickHouseFailures.of("checked", refused));

        ClickHouseRows.Builder rows = new ClickHouseRows.Builder("checked", List.of("id", "v"));
        rows.row(2L, 5).row(3L, -5);
        RejectedWrite rejected = assertThrows(RejectedWrite.class,
                () -> new RowsInserter(dataSource).insert(rows.build()).await().indefinitely());
        assertTrue(rejected.answer().contains("Code: 469"), rejected.answer());
    }

    @Test
    void aValueTheColumnCannotTakeIsRefusedWithoutAServerAnswer() {
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder("checked", List.of("id", "v"));
        rows.row(4L, null); // v is not Nullable
        assertThrows(RejectedWrite.class, () -> new RowsInserter(dataSource).insert(rows.build()).await().indefinitely());
    }

    @Test
    void moreDaysThanOneInsertMayTouchAreSplitAndOtherwiseRefused() throws Exception {
        List<FactChange> changes = new ArrayList<>();
        Instant first = Instant.parse("2020-01-01T12:00:00Z");
        for (int day = 0; day < 150; day++) {
            EnrichedEvent e = new EnrichedEvent(1_000 + day, null, null, "play", first.plusSeconds(86_400L * day),
                    null, null, null, null, null, null, null, null, null, null);
            changes.add(new FactChange(e.eventId(), Op.CREATE, 1, 0, 1, e, null));
        }
        RowsInserter inserter = new RowsInserter(dataSource);
        List<ClickHouseRows> one = ClickHouseFactSink.rows(changes, Integer.MAX_VALUE);
        assertEquals(1, one.size());
        RejectedWrite refused = assertThrows(RejectedWrite.class, () -> inserter.insert(one.get(0)).await().indefinitely());
        assertTrue(refused.answer().contains("Code: 252"), refused.answer()); // TOO_MANY_PARTS, its partitions message

        List<ClickHouseRows> split = ClickHouseFactSink.rows(changes, 100);
        assertEquals(List.of(100, 50), split.stream().map(r -> r.rows().size()).toList());
        for (ClickHouseRows rows : split) {
            inserter.insert(rows).await().indefinitely();
        }
        assertEquals(List.of("150"), query("SELECT count() FROM enriched_engagements WHERE event_id BETWEEN 1000 AND 1149"));
    }

    @Test
    void aMissingTableOrServerIsAnOutageNotARefusal() throws Exception {
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder("no_such_table", List.of("id"));
        rows.row(1L);
        ClickHouseWriteException missing = assertThrows(ClickHouseWriteException.class,
                () -> new RowsInserter(dataSource).insert(rows.build()).await().indefinitely());
        assertEquals(60, ClickHouseFailures.code(missing.getCause(), "")); // UNKNOWN_TABLE

        DataSourceImpl nowhere = new DataSourceImpl("jdbc:clickhouse:http://127.0.0.1:1/" + database, driverProperties());
        assertThrows(ClickHouseWriteException.class,
                () -> new RowsInserter(nowhere).insert(rows.build()).await().indefinitely());
    }

    @Test
    void aTableColumnWithoutDefaultThatTheRowsLackIsAnOutage() throws Exception {
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder("checked", List.of("id"));
        rows.row(1L);
        ClickHouseWriteException e = assertThrows(ClickHouseWriteException.class,
                () -> new RowsInserter(dataSource).insert(rows.build()).await().indefinitely());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertFalse(e.getMessage().isEmpty());
    }

    private static EnrichedEvent withTs(EnrichedEvent e, Instant ts) {
        return new EnrichedEvent(e.eventId(), e.contentId(), e.userId(), e.eventType(), ts, e.durationMs(), e.device(),
                e.rawPayload(), e.engagementSeconds(), e.engagementPercent(), e.contentSlug(), e.contentTitle(),
                e.contentType(), e.lengthSeconds(), e.publishTs());
    }

    private static List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** application.properties' quarkus.datasource.clickhouse.jdbc.additional-jdbc-properties, defaults resolved. */
    static Properties driverProperties() throws Exception {
        Properties app = new Properties();
        try (InputStream in = ClickHouseInsertTest.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        String prefix = "quarkus.datasource.clickhouse.jdbc.additional-jdbc-properties.";
        Pattern expression = Pattern.compile("\\$\\{[A-Z_]+:([^}]*)}");
        Properties driver = new Properties();
        for (String key : app.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                Matcher m = expression.matcher(app.getProperty(key).trim());
                driver.setProperty(key.substring(prefix.length()).replace("\"", ""),
                        m.matches() ? m.group(1) : app.getProperty(key).trim());
            }
        }
        assertEquals("true", driver.getProperty("beta.row_binary_for_simple_insert"), "" + driver);
        assertEquals("0", driver.getProperty("clickhouse_setting_async_insert"));
        assertEquals("0", driver.getProperty("clickhouse_setting_insert_deduplicate"));
        driver.setProperty("user", "default");
        driver.setProperty("password", "");
        return driver;
    }

    private static boolean answers(String base) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(base + "/ping").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
