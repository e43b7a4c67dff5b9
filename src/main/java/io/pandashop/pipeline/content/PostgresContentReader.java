package io.pandashop.pipeline.content;

import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.WalPosition;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Reads content rows straight from the source database, for events that arrive before their content change. */
@ApplicationScoped
public class PostgresContentReader {

    /** Rows read, and the WAL position they are current at (compared with Debezium's source.lsn). */
    public record Snapshot(List<ContentRow> rows, long walLsn) {
    }

    private static final String QUERY = "SELECT id, slug, title, content_type, length_seconds, publish_ts, "
            + "pg_current_wal_lsn()::text AS wal_lsn FROM content WHERE id = ANY($1)";
    private static final String WAL_ONLY = "SELECT pg_current_wal_lsn()::text AS wal_lsn";

    private final Pool pool;

    public PostgresContentReader(Pool pool) {
        this.pool = pool;
    }

    public Uni<Snapshot> read(Collection<UUID> ids) {
        // The WAL position is read first when no row comes back, so an absent row is known absent as of it.
        return pool.preparedQuery(QUERY).execute(Tuple.of(ids.toArray(new UUID[0])))
                .flatMap(rows -> {
                    List<ContentRow> found = new ArrayList<>(rows.size());
                    String wal = null;
                    for (Row r : rows) {
                        found.add(toContent(r));
                        wal = r.getString("wal_lsn");
                    }
                    if (wal != null) {
                        return Uni.createFrom().item(new Snapshot(found, WalPosition.parse(wal)));
                    }
                    return pool.query(WAL_ONLY).execute()
                            .map(w -> new Snapshot(found, WalPosition.parse(w.iterator().next().getString("wal_lsn"))));
                });
    }

    private static ContentRow toContent(Row r) {
        return contentRow(r, "");
    }

    /** A content row from a result's columns named {@code prefix} + the table's column names. */
    public static ContentRow contentRow(Row r, String prefix) {
        OffsetDateTime publish = r.getOffsetDateTime(prefix + "publish_ts");
        return new ContentRow(r.getUUID(prefix + "id"), r.getString(prefix + "slug"), r.getString(prefix + "title"),
                r.getString(prefix + "content_type"), r.getInteger(prefix + "length_seconds"),
                publish == null ? null : publish.toInstant());
    }
}
