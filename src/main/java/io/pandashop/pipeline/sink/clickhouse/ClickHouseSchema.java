package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.config.PipelineConfig;
import io.quarkus.runtime.StartupEvent;
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

    void onStart(@Observes StartupEvent event, Client client, PipelineConfig config) throws Exception {
        if (!config.clickhouse().applySchema()) {
            return;
        }
        List<String> statements = statements();
        for (String sql : statements) {
            client.query(sql).get(60, TimeUnit.SECONDS).close();
        }
        LOG.infof("ClickHouse schema applied (%d statements) at %s", statements.size(), config.clickhouse().url());
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
