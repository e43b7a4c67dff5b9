package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.health.DependencyRetry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Applies the ClickHouse DDL (src/main/resources/clickhouse/schema.sql) at start, idempotently. */
@ApplicationScoped
public class ClickHouseSchema {

    private static final Logger LOG = Logger.getLogger(ClickHouseSchema.class);
    private static final String RESOURCE = "clickhouse/schema.sql";

    /**
     * Applies the DDL in the background, retried until ClickHouse answers: a ClickHouse that is down at start
     * makes the service not ready (readiness names "clickhouse (schema)") instead of failing start-up, which on
     * Kubernetes would be a crash loop. Writes meanwhile fail and are retried like any outage.
     */
    void onStart(@Observes StartupEvent event, Client client, PipelineConfig config, DependencyRetry retry) {
        if (!config.clickhouse().applySchema()) {
            return;
        }
        List<String> statements = statements();
        retry.untilAvailable("clickhouse (schema)", () -> Uni.createFrom().item(() -> {
            for (String sql : statements) {
                try {
                    client.query(sql).get(60, TimeUnit.SECONDS).close();
                } catch (Exception e) {
                    throw new IllegalStateException("DDL failed: " + e.getMessage(), e);
                }
            }
            return statements.size();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())).subscribe().with(
                n -> LOG.infof("ClickHouse schema applied (%d statements) at %s", n, config.clickhouse().url()));
    }

    static List<String> statements() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the application");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            return Arrays.stream(text.split(";"))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
