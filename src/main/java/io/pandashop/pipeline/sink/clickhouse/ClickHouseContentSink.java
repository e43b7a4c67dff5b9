package io.pandashop.pipeline.sink.clickhouse;

import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Keeps app.content_dim current: one row per content change, versioned by its source position. */
@ApplicationScoped
public class ClickHouseContentSink {

    static final String TABLE = "content_dim";
    static final List<String> COLUMNS = List.of("id", "slug", "title", "content_type", "length_seconds", "publish_ts",
            "version_ts_ms", "version", "is_deleted");

    private final RowsInserter inserter;

    public ClickHouseContentSink(RowsInserter inserter) {
        this.inserter = inserter;
    }

    public Uni<Void> write(List<Change<ContentRow>> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ClickHouseRows.Builder rows = new ClickHouseRows.Builder(TABLE, COLUMNS);
        for (Change<ContentRow> c : changes) {
            ContentRow row = c.latest();
            rows.row(row.id(), orEmpty(row.slug()), orEmpty(row.title()), orEmpty(row.contentType()),
                    row.lengthSeconds(), row.publishTs(), c.tsMs(), c.lsn(), c.isDelete() ? 1 : 0);
        }
        return inserter.insert(rows.build());
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
