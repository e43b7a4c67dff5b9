package io.pandashop.pipeline.sink.clickhouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pandashop.pipeline.cdc.Change;
import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.enrich.JsonFields;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Keeps app.content_dim current: one row per content change, versioned by its source position. */
@ApplicationScoped
public class ClickHouseContentSink {

    static final String TABLE = "content_dim";

    private final ClickHouseInserter inserter;
    private final JsonFactory json = new JsonFactory();

    public ClickHouseContentSink(ClickHouseInserter inserter) {
        this.inserter = inserter;
    }

    public Uni<Void> write(List<Change<ContentRow>> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        BatchToken token = new BatchToken(TABLE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(changes.size() * 300);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (Change<ContentRow> c : changes) {
                ContentRow row = c.latest();
                g.writeStartObject();
                g.writeStringField("id", row.id().toString());
                g.writeStringField("slug", row.slug() == null ? "" : row.slug());
                g.writeStringField("title", row.title() == null ? "" : row.title());
                g.writeStringField("content_type", row.contentType() == null ? "" : row.contentType());
                JsonFields.integer(g, "length_seconds", row.lengthSeconds());
                g.writeStringField("publish_ts", Timestamps.format(row.publishTs()));
                g.writeNumberField("version_ts_ms", c.tsMs());
                g.writeNumberField("version", c.lsn());
                g.writeNumberField("is_deleted", c.isDelete() ? 1 : 0);
                g.writeEndObject();
                g.writeRaw('\n');
                token.add(row.id().toString(), c.lsn(), c.isDelete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inserter.insert(TABLE, out.toByteArray(), token.value());
    }
}
