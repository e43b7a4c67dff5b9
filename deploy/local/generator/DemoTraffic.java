// Demo / benchmark traffic generator for the PostgreSQL source tables (content, engagement_events).
//
// Single-file Java 17 program, run with the JDK source launcher; its only dependency is the
// PostgreSQL JDBC driver:
//
//   java -cp postgresql-42.7.x.jar deploy/local/generator/DemoTraffic.java --help
//
// Usually started through deploy/local/generator/run.sh, which finds (or downloads) the driver.

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

public class DemoTraffic {

    static final String USAGE = """
        Usage: DemoTraffic [options]

        Inserts realistic engagement traffic into the PostgreSQL source tables (content,
        engagement_events) at a steady rate, plus a few UPDATEs and DELETEs, so a CDC
        pipeline sees every kind of change.

        Connection (options win over environment variables):
          --host H              PostgreSQL host            (env PG_HOST, default 127.0.0.1)
          --port P              PostgreSQL port            (env PG_PORT, default 5432)
          --db NAME             database                   (env PG_DB, default pandashop)
          --user U              user                       (env PG_USER, default postgresuser)
          --password PW         password                   (env PG_PASSWORD, default postgrespw)

        Content:
          --content N           ensure the N generated content rows exist (default 200); they are
                                idempotent (deterministic UUIDs and slugs from --seed, ON CONFLICT DO
                                NOTHING), cover podcast/newsletter/video, some have NULL or 0
                                length_seconds. 0 = insert none, use what the table already holds.
          --seed S              seed for content rows and the user pool (default 42)
          --users N             size of the user_id pool (default 5000)

        Traffic:
          --rate R              events per second (default 50); 0 = as fast as possible (bulk)
          --duration S          stop after S seconds (default: run until SIGINT/SIGTERM)
          --events N            stop after N inserted events
          --mutate-fraction F   mutations per inserted event (default 0.02): UPDATEs of duration_ms,
                                UPDATEs of event_ts and DELETEs of recently inserted events
          --late-fraction F     fraction of events whose event_ts lies 1 s..10 min in the past
                                (default 0: event_ts = now, truncated to milliseconds)
          --reconnect-timeout S when the connection is lost (PostgreSQL restart), keep reconnecting
                                for up to S seconds (default 60; 0 = exit at once). The
                                interrupted transaction is neither counted nor in the commit log.
          --batch-ms MS         pacing tick, one transaction per tick (default: 100 ms up to
                                200 events/s, 50 ms up to 2,000/s, 20 ms above)
          --batch N             rows per transaction in bulk mode (--rate 0) (default 2000)
          --max-batch N         cap on rows per transaction when catching up (default 10000)

        Latency measurement (benchmarks):
          --commit-log FILE     after each commit append "first_id,last_id,commit_epoch_ms" lines
                                (one per contiguous id range of the batch's inserts;
                                commit_epoch_ms = wall clock right after COMMIT returned).
                                The file is truncated at start; no header.
          --stamp-latency       put "gen_ms" (epoch ms when the row was built) into raw_payload;
                                raw_payload is then never NULL

        Output:
          --status-every S      status line interval in seconds, on stderr (default 5)
          --quiet               only the final summary
          --help                this text

        Exit status: 0 ok, 1 runtime error, 2 bad usage or PostgreSQL unreachable.
        """;

    // ---------------------------------------------------------------- configuration

    String host = env("PG_HOST", "127.0.0.1");
    int port = Integer.parseInt(env("PG_PORT", "5432"));
    String db = env("PG_DB", "pandashop");
    String user = env("PG_USER", "postgresuser");
    String password = env("PG_PASSWORD", "postgrespw");
    int contentRows = 200;
    long seed = 42;
    int users = 5000;
    double rate = 50;
    double durationS = -1;
    long maxEvents = -1;
    double mutateFraction = 0.02;
    double reconnectTimeoutS = 60;
    double lateFraction = 0;
    int batchMs = -1;
    int bulkBatch = 2000;
    int maxBatch = 10000;
    Path commitLog;
    boolean stampLatency;
    double statusEvery = 5;
    boolean quiet;

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    static final class UsageException extends Exception {
        UsageException(String m) { super(m); }
    }

    static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.of("--host", "--port", "--db", "--user",
        "--password", "--content", "--seed", "--users", "--rate", "--duration", "--events", "--mutate-fraction",
        "--late-fraction", "--reconnect-timeout", "--batch-ms", "--batch", "--max-batch", "--commit-log", "--status-every");

    void parse(String[] args) throws UsageException {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String val = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) { val = a.substring(eq + 1); a = a.substring(0, eq); }
            switch (a) {
                case "--help", "-h" -> { System.out.print(USAGE); System.exit(0); }
                case "--stamp-latency" -> stampLatency = true;
                case "--quiet", "-q" -> quiet = true;
                default -> {
                    if (!VALUE_OPTIONS.contains(a)) throw new UsageException("unknown option " + a + " (see --help)");
                    if (val == null) {
                        if (i + 1 >= args.length) throw new UsageException("missing value for " + a);
                        val = args[++i];
                    }
                    try {
                        switch (a) {
                            case "--host" -> host = val;
                            case "--port" -> port = Integer.parseInt(val);
                            case "--db" -> db = val;
                            case "--user" -> user = val;
                            case "--password" -> password = val;
                            case "--content" -> contentRows = nonNeg(a, Integer.parseInt(val));
                            case "--seed" -> seed = Long.parseLong(val);
                            case "--users" -> users = Math.max(1, Integer.parseInt(val));
                            case "--rate" -> rate = nonNeg(a, Double.parseDouble(val));
                            case "--duration" -> durationS = nonNeg(a, Double.parseDouble(val));
                            case "--events" -> maxEvents = nonNeg(a, Long.parseLong(val));
                            case "--mutate-fraction" -> mutateFraction = nonNeg(a, Double.parseDouble(val));
                            case "--late-fraction" -> lateFraction = fraction(a, Double.parseDouble(val));
                            case "--reconnect-timeout" -> reconnectTimeoutS = nonNeg(a, Double.parseDouble(val));
                            case "--batch-ms" -> batchMs = Math.max(1, Integer.parseInt(val));
                            case "--batch" -> bulkBatch = Math.max(1, Integer.parseInt(val));
                            case "--max-batch" -> maxBatch = Math.max(1, Integer.parseInt(val));
                            case "--commit-log" -> commitLog = Path.of(val);
                            case "--status-every" -> statusEvery = Math.max(0.1, Double.parseDouble(val));
                            default -> throw new UsageException("unknown option " + a + " (see --help)");
                        }
                    } catch (NumberFormatException e) {
                        throw new UsageException("bad number for " + a + ": " + val);
                    }
                }
            }
        }
    }

    static <T extends Number> T nonNeg(String opt, T v) throws UsageException {
        if (v.doubleValue() < 0 || Double.isNaN(v.doubleValue())) throw new UsageException(opt + " must be >= 0");
        return v;
    }

    static double fraction(String opt, double v) throws UsageException {
        if (!(v >= 0 && v <= 1)) throw new UsageException(opt + " must be between 0 and 1");
        return v;
    }

    String where() { return host + ":" + port + "/" + db; }

    // ---------------------------------------------------------------- state

    static volatile boolean stop;
    static final CountDownLatch finished = new CountDownLatch(1);

    Connection conn;
    PreparedStatement psIds, psInsert, psUpdDuration, psUpdTs, psDelete;
    BufferedWriter commitWriter;

    UUID[] contentIds;
    int[] contentLen;          // -1 = NULL
    UUID[] userPool;
    final SplittableRandom rnd = new SplittableRandom(System.nanoTime());

    // ids of committed inserts, candidates for UPDATE/DELETE (0 = deleted / empty)
    final long[] recent = new long[20000];
    int recentPos, recentCount;
    double mutateDebt;

    long inserted, updatesDuration, updatesTs, deletes, batches;

    // ---------------------------------------------------------------- main

    public static void main(String[] args) {
        DemoTraffic g = new DemoTraffic();
        int rc;
        try {
            g.parse(args);
            rc = g.run();
        } catch (UsageException e) {
            System.err.println("demo-traffic: " + e.getMessage());
            rc = 2;
        }
        finished.countDown();
        System.exit(rc);
    }

    int run() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop = true;
            try { finished.await(15, TimeUnit.SECONDS); } catch (InterruptedException ignored) { }
        }, "shutdown"));
        try {
            connect();
        } catch (SQLException e) {
            System.err.println("cannot connect to PostgreSQL at " + where() + ": " + reason(e));
            return 2;
        }
        try {
            if (commitLog != null) {
                Path parent = commitLog.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                commitWriter = Files.newBufferedWriter(commitLog, StandardCharsets.US_ASCII);
            }
            ensureContent();
            loadPools();
            loop();
            return 0;
        } catch (SQLException e) {
            System.err.println("demo-traffic: PostgreSQL error at " + where() + ": " + reason(e));
            summary();
            return 1;
        } catch (IOException e) {
            System.err.println("demo-traffic: " + e);
            return 1;
        } finally {
            try { if (commitWriter != null) commitWriter.close(); } catch (IOException ignored) { }
            try { if (conn != null) conn.close(); } catch (SQLException ignored) { }
        }
    }

    static String reason(SQLException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getCause() != null ? String.valueOf(e.getCause()) : e.toString();
        if (e.getSQLState() != null) m += " [SQLSTATE " + e.getSQLState() + "]";
        return m;
    }

    void connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("ApplicationName", "demo-traffic");
        p.setProperty("connectTimeout", "5");
        p.setProperty("tcpKeepAlive", "true");
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new SQLException("PostgreSQL JDBC driver not on the classpath (java -cp postgresql-42.x.jar ...)");
        }
        conn = DriverManager.getConnection(url, p);
        conn.setAutoCommit(false);
        psIds = conn.prepareStatement(
            "SELECT nextval(pg_get_serial_sequence('engagement_events', 'id')) FROM generate_series(1, ?)");
        psInsert = conn.prepareStatement(
            "INSERT INTO engagement_events (id, content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)");
        psUpdDuration = conn.prepareStatement(
            "UPDATE engagement_events SET duration_ms = COALESCE(duration_ms, 0) + ? WHERE id = ?");
        psUpdTs = conn.prepareStatement(
            "UPDATE engagement_events SET event_ts = event_ts - ? * interval '1 millisecond' WHERE id = ?");
        psDelete = conn.prepareStatement("DELETE FROM engagement_events WHERE id = ?");
    }

    // ---------------------------------------------------------------- content

    static final String[] ADJ = {"quiet", "hidden", "practical", "unexpected", "weekly", "deep", "honest",
        "modern", "tiny", "endless", "curious", "brave", "slow", "bright", "missing", "open"};
    static final String[] NOUN = {"pipeline", "garden", "market", "city", "kitchen", "ocean", "startup",
        "library", "algorithm", "forest", "orbit", "panda", "signal", "harbor", "archive", "engine"};
    static final String[] FORM = {"notes on", "inside the", "a guide to the", "the story of the",
        "why we love the", "building the", "behind the", "letters from the"};

    static UUID contentUuid(long seed, int i) {
        return UUID.nameUUIDFromBytes(("pandashop-demo-content:" + seed + ":" + i).getBytes(StandardCharsets.UTF_8));
    }

    /** The types the database's CHECK on content.content_type allows (deploy/local/sql/content-types.sql). */
    String[] contentTypes() throws SQLException {
        String query;
        try {
            query = Files.readString(Path.of(System.getProperty("contentTypesSql",
                "deploy/local/sql/content-types.sql"))).replaceAll("(?m)^--.*$", "").strip().replaceAll(";$", "");
        } catch (java.io.IOException e) {
            throw new SQLException("cannot read the content-types query: " + e.getMessage());
        }
        java.util.List<String> types = new java.util.ArrayList<>();
        try (var st = conn.createStatement(); var rs = st.executeQuery(query)) {
            while (rs.next()) {
                types.add(rs.getString(1));
            }
        }
        conn.commit();
        if (types.isEmpty()) {
            throw new SQLException("content.content_type has no CHECK listing its types: nothing to generate");
        }
        return types.toArray(new String[0]);
    }

    void ensureContent() throws SQLException {
        if (contentRows > 0) {
            Instant base = Instant.parse("2024-01-01T00:00:00Z");
            long before = countContent();
            try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts)"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                String[] types = contentTypes();
                for (int i = 0; i < contentRows; i++) {
                    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
                    String type = types[i % types.length];
                    Integer len = switch (i % 20) {
                        case 4 -> null;       // unknown length
                        case 11 -> 0;         // broken metadata
                        default -> switch (type) {
                            case "podcast" -> 600 + r.nextInt(6601);      // 10 min .. 2 h
                            case "newsletter" -> 60 + r.nextInt(1141);    // reading time 1 .. 20 min
                            default -> 60 + r.nextInt(7141);              // 1 min .. 2 h
                        };
                    };
                    String title = cap(FORM[r.nextInt(FORM.length)]) + " " + ADJ[r.nextInt(ADJ.length)] + " "
                        + NOUN[r.nextInt(NOUN.length)];
                    String slug = type + "-" + title.toLowerCase(Locale.ROOT).replace(' ', '-')
                        + "-" + String.format("%05d", i) + (seed == 42 ? "" : "-s" + Long.toString(seed, 36));
                    ps.setObject(1, contentUuid(seed, i));
                    ps.setString(2, slug);
                    ps.setString(3, title);
                    ps.setString(4, type);
                    if (len == null) ps.setNull(5, Types.INTEGER); else ps.setInt(5, len);
                    ps.setObject(6, OffsetDateTime.ofInstant(
                        base.plusSeconds(r.nextLong(500L * 86400)), ZoneOffset.UTC));
                    ps.addBatch();
                    if ((i + 1) % 1000 == 0 || i == contentRows - 1) ps.executeBatch();
                }
            }
            long after = countContent();
            conn.commit();
            if (!quiet) log("content: %d generated rows ensured (%d newly inserted, %d rows in table)",
                contentRows, after - before, after);
        }
    }

    long countContent() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM content")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String cap(String s) { return Character.toUpperCase(s.charAt(0)) + s.substring(1); }

    void loadPools() throws SQLException {
        List<UUID> ids = new ArrayList<>();
        List<Integer> lens = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, length_seconds FROM content ORDER BY id LIMIT 100000")) {
            while (rs.next()) {
                ids.add((UUID) rs.getObject(1));
                int l = rs.getInt(2);
                lens.add(rs.wasNull() ? -1 : l);
            }
        }
        conn.commit();
        if (ids.isEmpty()) throw new SQLException("table content is empty (use --content N to create rows)");
        // Shuffle deterministically so the popular (low-index) items are a random mix of types.
        SplittableRandom r = new SplittableRandom(seed);
        int n = ids.size();
        contentIds = new UUID[n];
        contentLen = new int[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1); Integer t = order[i]; order[i] = order[j]; order[j] = t; }
        for (int i = 0; i < n; i++) { contentIds[i] = ids.get(order[i]); contentLen[i] = lens.get(order[i]); }
        userPool = new UUID[users];
        for (int i = 0; i < users; i++) {
            long msb = (r.nextLong() & ~0xF000L) | 0x4000L;                 // version 4
            long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
            userPool[i] = new UUID(msb, lsb);
        }
        if (!quiet) log("pools: %d content items, %d users", n, users);
    }

    // ---------------------------------------------------------------- events

    static final String[] EVENT_TYPES = {"play", "pause", "finish", "click"};
    static final int[] EVENT_W = {40, 25, 15, 20};
    static final String[] DEVICES = {"ios", "android", "web-chrome", "web-safari", "web-firefox", "tv"};
    static final int[] DEVICE_W = {30, 28, 20, 10, 4, 8};
    static final String[] REFERRERS = {"home", "search", "recommendation", "newsletter", "share", "notification"};
    static final String[] NETWORKS = {"wifi", "cellular", "ethernet"};
    static final String[] CLICK_TARGETS = {"subscribe", "share", "like", "next", "related", "comments"};

    static int pick(SplittableRandom r, int[] w) {
        int total = 0;
        for (int x : w) total += x;
        int v = r.nextInt(total);
        for (int i = 0; i < w.length; i++) { v -= w[i]; if (v < 0) return i; }
        return w.length - 1;
    }

    /** Adds one event to psInsert's batch. */
    void addEvent(long id, OffsetDateTime now, long nowMs) throws SQLException {
        SplittableRandom r = rnd;
        int ci = (int) (contentIds.length * Math.pow(r.nextDouble(), 2.0)); // skewed popularity
        boolean noContent = r.nextInt(100) < 3;
        String type = EVENT_TYPES[pick(r, EVENT_W)];
        String device = DEVICES[pick(r, DEVICE_W)];
        UUID userId = userPool[r.nextInt(userPool.length)];

        psInsert.setLong(1, id);
        if (noContent) psInsert.setNull(2, Types.OTHER); else psInsert.setObject(2, contentIds[ci]);
        psInsert.setObject(3, userId);
        psInsert.setString(4, type);
        OffsetDateTime ts = now;
        if (lateFraction > 0 && r.nextDouble() < lateFraction) ts = now.minusNanos((1000L + r.nextLong(599_000L)) * 1_000_000L);
        psInsert.setObject(5, ts);

        int len = noContent ? -1 : contentLen[ci];
        long lenMs = len > 0 ? len * 1000L : 0;
        if (r.nextInt(100) < 10) {
            psInsert.setNull(6, Types.INTEGER);
        } else {
            long d;
            if (type.equals("click")) d = r.nextLong(30_000);                       // time on page before the click
            else if (lenMs <= 0) d = r.nextLong(900_000);                          // unknown length: up to 15 min
            else if (type.equals("finish")) d = (long) (lenMs * (0.85 + 0.25 * r.nextDouble())); // ~100 %, some above
            else d = (long) (lenMs * 1.1 * r.nextDouble());                          // 0 .. 110 %
            psInsert.setInt(6, (int) Math.min(d, Integer.MAX_VALUE));
        }
        psInsert.setString(7, device);

        if (!stampLatency && r.nextInt(100) < 15) {
            psInsert.setNull(8, Types.VARCHAR);
        } else {
            StringBuilder sb = new StringBuilder(160);
            sb.append("{\"app_version\":\"").append(5 + r.nextInt(2)).append('.').append(r.nextInt(20)).append('.')
                .append(r.nextInt(10)).append("\",\"session\":\"").append(Long.toHexString(r.nextLong() | (1L << 60)))
                .append("\",\"referrer\":\"").append(REFERRERS[r.nextInt(REFERRERS.length)])
                .append("\",\"network\":\"").append(device.equals("tv") ? "ethernet" : NETWORKS[r.nextInt(2)]).append('"');
            if (type.equals("click")) sb.append(",\"target\":\"").append(CLICK_TARGETS[r.nextInt(CLICK_TARGETS.length)]).append('"');
            else sb.append(",\"playback_rate\":").append(r.nextInt(10) < 8 ? "1.0" : "1.5");
            if (stampLatency) sb.append(",\"gen_ms\":").append(nowMs);
            sb.append('}');
            psInsert.setString(8, sb.toString());
        }
        psInsert.addBatch();
    }

    /** One transaction: n inserts (ids taken from the sequence first) plus the mutations they owe. */
    void batch(int n) throws SQLException, IOException {
        long[] ids = new long[n];
        psIds.setInt(1, n);
        try (ResultSet rs = psIds.executeQuery()) {
            int i = 0;
            while (rs.next() && i < n) ids[i++] = rs.getLong(1);
            if (i != n) throw new SQLException("sequence returned " + i + " ids, wanted " + n);
        }
        long nowMs = System.currentTimeMillis();
        OffsetDateTime now = OffsetDateTime.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC);
        for (int i = 0; i < n; i++) addEvent(ids[i], now, nowMs);
        psInsert.executeBatch();

        // mutations on events committed by earlier batches
        int dur = 0, ts = 0, del = 0;
        mutateDebt += n * mutateFraction;
        int want = (int) mutateDebt;
        mutateDebt -= want;
        for (int k = 0; k < want && recentCount > 0; k++) {
            int slot = r(recentCount);
            int idx = Math.floorMod(recentPos - 1 - slot, recent.length);
            long id = recent[idx];
            if (id == 0) continue;
            int op = rnd.nextInt(100);
            if (op < 40) {
                psUpdDuration.setInt(1, 1000 + rnd.nextInt(120_000));
                psUpdDuration.setLong(2, id);
                psUpdDuration.addBatch();
                dur++;
            } else if (op < 70) {
                psUpdTs.setLong(1, 1 + rnd.nextInt(120_000));
                psUpdTs.setLong(2, id);
                psUpdTs.addBatch();
                ts++;
            } else {
                psDelete.setLong(1, id);
                psDelete.addBatch();
                recent[idx] = 0;
                del++;
            }
        }
        long affDur = dur > 0 ? affected(psUpdDuration.executeBatch()) : 0;
        long affTs = ts > 0 ? affected(psUpdTs.executeBatch()) : 0;
        long affDel = del > 0 ? affected(psDelete.executeBatch()) : 0;

        conn.commit();
        long commitMs = System.currentTimeMillis();

        inserted += n;
        updatesDuration += affDur;
        updatesTs += affTs;
        deletes += affDel;
        batches++;
        for (long id : ids) {
            recent[recentPos] = id;
            recentPos = (recentPos + 1) % recent.length;
            if (recentCount < recent.length) recentCount++;
        }
        if (commitWriter != null) {
            long first = ids[0], prev = ids[0];
            for (int i = 1; i <= n; i++) {
                if (i == n || ids[i] != prev + 1) {
                    commitWriter.write(first + "," + prev + "," + commitMs + "\n");
                    if (i < n) first = ids[i];
                }
                if (i < n) prev = ids[i];
            }
            commitWriter.flush();
        }
    }

    /**
     * Runs one batch; when the connection is lost (PostgreSQL restarted, backend terminated) it reconnects
     * for up to --reconnect-timeout seconds. The lost transaction is not counted (and not in the commit log).
     * Returns false when the batch was not done (caller retries on the next tick).
     */
    boolean batchOrReconnect(int n) throws SQLException, IOException {
        try {
            batch(n);
            return true;
        } catch (SQLException e) {
            if (!connectionLost(e) || reconnectTimeoutS <= 0) throw e;
            log("connection lost (%s); reconnecting for up to %s s", reason(e), fmt(reconnectTimeoutS));
            try { conn.close(); } catch (SQLException ignored) { }
            long deadline = System.nanoTime() + (long) (reconnectTimeoutS * 1e9);
            while (!stop) {
                LockSupport.parkNanos(1_000_000_000L);
                try {
                    connect();
                    log("reconnected");
                    reconnects++;
                    return false;
                } catch (SQLException again) {
                    if (System.nanoTime() > deadline) throw again;
                }
            }
            return false;
        }
    }

    static boolean connectionLost(SQLException e) {
        String st = e.getSQLState();
        return st != null && (st.startsWith("08") || st.equals("57P01") || st.equals("57P02") || st.equals("57P03"));
    }

    long reconnects, skipped;

    int r(int bound) { return rnd.nextInt(bound); }

    static long affected(int[] counts) {
        long s = 0;
        for (int c : counts) if (c > 0) s += c;
        return s;
    }

    // ---------------------------------------------------------------- pacing

    void loop() throws SQLException, IOException {
        boolean bulk = rate == 0;
        long tickNs;
        int cap;
        if (bulk) {
            tickNs = 0;
            cap = bulkBatch;
        } else {
            int ms = batchMs > 0 ? batchMs : rate <= 200 ? 100 : rate <= 2000 ? 50 : 20;
            tickNs = ms * 1_000_000L;
            cap = (int) Math.max(1, Math.min(maxBatch, Math.max(50, Math.ceil(rate * ms / 1000.0) * 4)));
        }
        long durNs = durationS >= 0 ? (long) (durationS * 1e9) : Long.MAX_VALUE;
        if (!quiet) {
            log("start: %s, %s%s%s, mutate-fraction %s%s", where(),
                bulk ? "bulk (as fast as possible, " + bulkBatch + " rows/tx)" : fmt(rate) + " events/s",
                durationS >= 0 ? ", " + fmt(durationS) + " s" : "",
                maxEvents >= 0 ? ", " + maxEvents + " events" : "",
                fmt(mutateFraction), commitLog != null ? ", commit log " + commitLog : "");
        }
        startCpu = cpuSeconds();
        long start = System.nanoTime();
        startNs = start;
        long statusNs = (long) (statusEvery * 1e9);
        long nextStatus = start + statusNs;
        lastStatusNs = start;
        long nextTick = start;
        while (!stop) {
            long now = System.nanoTime();
            long elapsed = now - start;
            boolean timeUp = elapsed >= durNs;
            long target;
            if (bulk) {
                target = timeUp ? inserted : inserted + cap;
            } else {
                // final top-up at the end of --duration so the total is rate * duration
                target = (long) Math.floor(rate * Math.min(elapsed, durNs) / 1e9) - skipped;
            }
            if (maxEvents >= 0) target = Math.min(target, maxEvents);
            long due = target - inserted;
            while (due > 0 && !stop) {
                int n = (int) Math.min(due, cap);
                if (!batchOrReconnect(n)) {
                    // no burst to catch up on the outage: restart the schedule from now
                    if (!bulk) skipped = (long) Math.floor(rate * (System.nanoTime() - start) / 1e9) - inserted;
                    break;
                }
                due -= n;
                if (!bulk) break; // one transaction per tick; a backlog is caught up over the next ticks
            }
            now = System.nanoTime();
            if (!quiet && now >= nextStatus) {
                status(now);
                while (nextStatus <= now) nextStatus += statusNs;
            }
            if (timeUp || (maxEvents >= 0 && inserted >= maxEvents)) {
                if (!bulk && maxEvents < 0 && inserted < target) continue; // finish the top-up first
                break;
            }
            if (!bulk) {
                nextTick += tickNs;
                if (nextTick < now) nextTick = now; // behind: no sleep, next tick sends a bigger batch
                long sleep = nextTick - now;
                if (durNs != Long.MAX_VALUE) sleep = Math.min(sleep, start + durNs - now);
                if (sleep > 0) LockSupport.parkNanos(sleep);
            }
        }
        endNs = System.nanoTime();
        summary();
    }

    long startNs, endNs, lastStatusNs, lastStatusInserted;

    void status(long now) {
        double dt = (now - lastStatusNs) / 1e9;
        double cur = (inserted - lastStatusInserted) / dt;
        double total = (now - startNs) / 1e9;
        log("%6.0fs inserted=%d rate=%.1f/s (avg %.1f/s, target %s) updates=%d deletes=%d batches=%d",
            total, inserted, cur, inserted / total, rate == 0 ? "max" : fmt(rate),
            updatesDuration + updatesTs, deletes, batches);
        lastStatusNs = now;
        lastStatusInserted = inserted;
    }

    boolean summarized;
    double startCpu;

    static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    void summary() {
        if (summarized || startNs == 0) return;
        summarized = true;
        long end = endNs != 0 ? endNs : System.nanoTime();
        double secs = Math.max(1e-9, (end - startNs) / 1e9);
        double cpu = cpuSeconds() - startCpu;
        log("done: %d events in %.1f s = %.1f events/s (target %s); updates=%d (duration_ms %d, event_ts %d) deletes=%d;"
                + " %d transactions, avg %.1f rows/tx; generator cpu %.1f s (%.0f%% of one core)%s",
            inserted, secs, inserted / secs, rate == 0 ? "max" : fmt(rate), updatesDuration + updatesTs,
            updatesDuration, updatesTs, deletes, batches, batches == 0 ? 0.0 : (double) inserted / batches, cpu, 100 * cpu / secs,
            reconnects == 0 ? "" : "; " + reconnects + " reconnects, " + skipped + " events skipped during outages");
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static void log(String f, Object... a) {
        System.err.println("[demo-traffic] " + String.format(Locale.ROOT, f, a));
    }
}
