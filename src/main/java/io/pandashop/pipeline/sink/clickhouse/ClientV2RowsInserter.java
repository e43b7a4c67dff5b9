package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Inserts rows as one JSONEachRow body through client-v2. */
final class ClientV2RowsInserter implements RowsInserter {

    private final Client client;
    private final JsonFactory json = new JsonFactory();

    ClientV2RowsInserter(Client client) {
        this.client = client;
    }

    @Override
    public Uni<Void> insert(ClickHouseRows rows) {
        return Uni.createFrom().<Void>item(() -> {
            byte[] body = jsonEachRow(rows);
            InsertSettings settings = new InsertSettings().serverSetting("async_insert", "0")
                    .serverSetting("insert_deduplicate", "0"); // RowsInserter: why no deduplication
            try {
                client.insert(rows.table(), new ByteArrayInputStream(body), ClickHouseFormat.JSONEachRow, settings)
                        .get(60, TimeUnit.SECONDS).close();
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                throw ClickHouseFailures.of(rows.table(), cause);
            }
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private byte[] jsonEachRow(ClickHouseRows rows) {
        List<String> columns = rows.columns();
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.rows().size() * 400);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (Object[] row : rows.rows()) {
                g.writeStartObject();
                for (int i = 0; i < row.length; i++) {
                    g.writeFieldName(columns.get(i));
                    write(g, row[i]);
                }
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (v instanceof Instant t) {
            g.writeString(Timestamps.format(t));
        } else {
            g.writeString(v.toString()); // UUID
        }
    }
}
