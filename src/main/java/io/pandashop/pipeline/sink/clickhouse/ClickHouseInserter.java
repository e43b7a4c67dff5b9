package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Inserts one JSONEachRow batch with its deduplication token, off the event loop, retrying with backoff:
 * a retried batch carries the same token, so ClickHouse stores it once. While ClickHouse is down the batch
 * is not acknowledged and consumption waits (back-pressure) instead of losing or skipping data.
 */
@ApplicationScoped
public class ClickHouseInserter {

    private static final Logger LOG = Logger.getLogger(ClickHouseInserter.class);

    private final Client client;

    public ClickHouseInserter(Client client) {
        this.client = client;
    }

    @Retry(maxRetries = -1, delay = 500, jitter = 200, maxDuration = 7, durationUnit = ChronoUnit.DAYS)
    @ExponentialBackoff(maxDelay = 30_000)
    public Uni<Void> insert(String table, byte[] jsonEachRow, String dedupToken) {
        return Uni.createFrom().<Void>item(() -> {
            InsertSettings settings = new InsertSettings().setDeduplicationToken(dedupToken);
            try {
                client.insert(table, new ByteArrayInputStream(jsonEachRow), ClickHouseFormat.JSONEachRow, settings)
                        .get(60, TimeUnit.SECONDS).close();
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                        ? e.getCause() : e;
                LOG.warnf("ClickHouse insert into %s failed, will retry: %s", table, cause.getMessage());
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
