package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;

/**
 * Inserts one JSONEachRow batch with its deduplication token, off the event loop. Callers retry a failed insert
 * with the same rows and token (DependencyRetry), so ClickHouse stores it once.
 */
@ApplicationScoped
public class ClickHouseInserter {

    private final Client client;

    public ClickHouseInserter(Client client) {
        this.client = client;
    }

    public Uni<Void> insert(String table, byte[] jsonEachRow, String dedupToken) {
        return Uni.createFrom().<Void>item(() -> {
            InsertSettings settings = new InsertSettings().setDeduplicationToken(dedupToken);
            try {
                client.insert(table, new ByteArrayInputStream(jsonEachRow), ClickHouseFormat.JSONEachRow, settings)
                        .get(60, TimeUnit.SECONDS).close();
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                        ? e.getCause() : e;
                throw new ClickHouseWriteException(table, cause);
            }
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** An insert that did not go through. */
    public static class ClickHouseWriteException extends RuntimeException {
        ClickHouseWriteException(String table, Throwable cause) {
            super("insert into " + table + " failed: " + cause.getMessage(), cause, false, false);
        }
    }
}
