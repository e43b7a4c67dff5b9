package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.EngagementRow;
import io.pandashop.pipeline.cdc.JsonText;
import io.pandashop.pipeline.cdc.Op;
import io.pandashop.pipeline.cdc.ReadPage;
import io.pandashop.pipeline.cdc.WalPosition;
import io.pandashop.pipeline.content.PostgresContentReader;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Cursor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.PreparedStatement;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Reads a range of engagement events, joined with their content, from one consistent PostgreSQL snapshot, page by
 * page through a cursor (never the whole range in memory), as READ changes.
 * <p>
 * Every row carries the source position S - 1, where S is the WAL insert position read before the snapshot, and
 * the snapshot is taken only once every transaction that had written by then has ended. To know which those are,
 * a transaction id N is taken (and committed) after S is read: a transaction that wrote WAL before S had its id
 * before N, and once the oldest running id is above N none of them runs. (A snapshot's xmax is no such bound: it
 * is one past the latest completed id, and ids taken after that are neither running in it nor below it.) So the
 * snapshot holds every change written before S, and any change it lacks has a position of at least S: against
 * the live stream a row it read is newer than every change it already holds and older than every change it
 * lacks, and each destination's position check keeps the newest version, whichever arrives first.
 */
@ApplicationScoped
public class SnapshotReader {

    private static final String WAL_POSITION = "SELECT pg_current_wal_insert_lsn()::text AS lsn";
    /** Takes a transaction id (the statement commits it): every id handed out before is lower. */
    private static final String TAKE_XID = "SELECT pg_current_xact_id()::text::bigint AS xid";
    private static final String OLDEST_RUNNING_XID =
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xid";
    private static final String FILTER = " WHERE e.event_ts >= $1 AND e.event_ts < $2"
            + " AND ($3::text IS NULL OR c.content_type = $3)";
    private static final String FROM = " FROM engagement_events e LEFT JOIN content c ON c.id = e.content_id";
    private static final String COUNT = "SELECT count(*) AS n" + FROM + FILTER;
    private static final String ROWS = "SELECT e.id, e.content_id, e.user_id, e.event_type, e.event_ts,"
            + " e.duration_ms, e.device, e.raw_payload::text AS raw_payload, e.xmin::text::bigint AS tx_id,"
            + " c.id AS c_id, c.slug AS c_slug, c.title AS c_title, c.content_type AS c_content_type,"
            + " c.length_seconds AS c_length_seconds, c.publish_ts AS c_publish_ts" + FROM + FILTER;
    private static final Duration POLL = Duration.ofMillis(100);

    private final Pool pool;

    public SnapshotReader(Pool pool) {
        this.pool = pool;
    }

    /**
     * @param pageSize     rows per page (and per cursor read)
     * @param startTimeout how long to wait at most for transactions older than the backfill to end
     * @param onSnapshot   told the rows' source position and the number of rows in range, before the first page
     */
    public Multi<ReadPage> pages(BackfillRequest request, int pageSize, Duration startTimeout,
            BiConsumer<Long, Long> onSnapshot) {
        return Multi.createFrom().resourceFromUni(() -> pool.getConnection().map(Session::new),
                        session -> read(session, request, pageSize, startTimeout, onSnapshot))
                .withFinalizer(Session::release);
    }

    /** The connection a backfill reads on, and the statement it prepared there. */
    private static final class Session {
        final SqlConnection conn;
        volatile PreparedStatement statement;

        Session(SqlConnection conn) {
            this.conn = conn;
        }

        /** Closes the statement and ends the read-only transaction before the connection goes back to the pool. */
        Uni<Void> release() {
            PreparedStatement prepared = statement;
            Uni<Void> closed = prepared == null ? Uni.createFrom().voidItem() : prepared.close();
            return closed.onFailure().recoverWithNull()
                    .chain(() -> conn.query("ROLLBACK").execute().replaceWithVoid())
                    .onFailure().recoverWithNull()
                    .eventually(conn::close);
        }
    }

    private Multi<ReadPage> read(Session session, BackfillRequest request, int pageSize, Duration startTimeout,
            BiConsumer<Long, Long> onSnapshot) {
        SqlConnection conn = session.conn;
        Tuple range = Tuple.tuple().addOffsetDateTime(request.from().atOffset(ZoneOffset.UTC))
                .addOffsetDateTime(request.to().atOffset(ZoneOffset.UTC)).addString(request.contentType());
        return single(conn, WAL_POSITION).map(r -> WalPosition.parse(r.getString("lsn")))
                .flatMap(walPosition -> single(conn, TAKE_XID).map(r -> r.getLong("xid"))
                        .call(taken -> transactionsEnded(conn, taken, System.nanoTime() + startTimeout.toNanos(),
                                startTimeout))
                        .call(() -> conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute())
                        .flatMap(ignored -> conn.preparedQuery(COUNT).execute(range))
                        .map(count -> {
                            long version = walPosition - 1;
                            onSnapshot.accept(version, count.iterator().next().getLong("n"));
                            return version;
                        }))
                .flatMap(version -> conn.prepare(ROWS).map(statement -> {
                    session.statement = statement;
                    return new Reading(statement.cursor(range), version, System.currentTimeMillis());
                }))
                .onItem().transformToMulti(reading -> Multi.createBy().repeating()
                        .uni(() -> reading.cursor.read(pageSize))
                        .whilst(rows -> reading.cursor.hasMore())
                        .map(rows -> page(rows, reading)));
    }

    private record Reading(Cursor cursor, long version, long snapshotMillis) {
    }

    /** Waits until no transaction with an id below {@code taken} is still running, or fails at the deadline. */
    private static Uni<Void> transactionsEnded(SqlConnection conn, long taken, long deadlineNanos, Duration timeout) {
        return single(conn, OLDEST_RUNNING_XID).flatMap(r -> {
            if (r.getLong("xid") > taken) {
                return Uni.createFrom().voidItem();
            }
            if (System.nanoTime() > deadlineNanos) {
                return Uni.createFrom().failure(new IllegalStateException("transactions that started before the "
                        + "backfill were still open after " + timeout + " (pipeline.backfill.start-timeout)"));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL)
                    .flatMap(ignored -> transactionsEnded(conn, taken, deadlineNanos, timeout));
        });
    }

    private static Uni<Row> single(SqlConnection conn, String sql) {
        return conn.query(sql).execute().map(rows -> rows.iterator().next());
    }

    private static ReadPage page(RowSet<Row> rows, Reading reading) {
        List<Change<EngagementRow>> changes = new ArrayList<>(rows.size());
        Map<UUID, ContentRow> contents = new HashMap<>();
        for (Row r : rows) {
            EngagementRow event = new EngagementRow(r.getLong("id"), r.getUUID("content_id"), r.getUUID("user_id"),
                    r.getString("event_type"), instant(r.getOffsetDateTime("event_ts")), r.getInteger("duration_ms"),
                    r.getString("device"), JsonText.of(r.getString("raw_payload")));
            changes.add(new Change<>(Op.READ, null, event, reading.version, reading.snapshotMillis,
                    r.getLong("tx_id")));
            if (r.getUUID("c_id") != null) {
                contents.putIfAbsent(r.getUUID("c_id"), PostgresContentReader.contentRow(r, "c_"));
            }
        }
        return new ReadPage(changes, contents);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
