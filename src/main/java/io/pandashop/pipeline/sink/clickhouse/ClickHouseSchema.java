package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.jdbc.StatementImpl;
import io.agroal.api.AgroalDataSource;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.health.DependencyRetry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.agroal.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Applies the ClickHouse DDL (src/main/resources/clickhouse/schema.sql) at start, idempotently, through the
 * datasource, in the database pipeline.clickhouse.database names (also the database of the datasource's URL).
 */
@ApplicationScoped
public class ClickHouseSchema {

    private static final Logger LOG = Logger.getLogger(ClickHouseSchema.class);
    private static final String RESOURCE = "clickhouse/schema.sql";

    /**
     * Applies the DDL in the background, retried until ClickHouse answers: a ClickHouse that is down at start
     * makes the service not ready (readiness names "clickhouse (schema)") instead of failing start-up, which on
     * Kubernetes would be a crash loop. Writes meanwhile fail and are retried like any outage.
     */
    void onStart(@Observes StartupEvent event, @DataSource("clickhouse") AgroalDataSource dataSource,
            PipelineConfig config, DependencyRetry retry) {
        if (!config.clickhouse().applySchema()) {
            return;
        }
        String database = config.clickhouse().database();
        List<String> statements = statements(database);
        retry.untilAvailable("clickhouse (schema)", () -> Uni.createFrom().item(() -> {
            try (Connection c = dataSource.getConnection()) {
                apply(c, statements);
            } catch (SQLException e) {
                throw new IllegalStateException("DDL failed: " + e.getMessage(), e);
            }
            return statements.size();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())).subscribe().with(
                n -> LOG.infof("ClickHouse schema applied (%d statements) in database %s", n, database));
    }

    /**
     * Runs the statements in order. The first creates the database the connection's URL names, so it runs in the
     * server's default database: ClickHouse refuses any request whose current database does not exist yet.
     */
    static void apply(Connection c, List<String> statements) throws SQLException {
        for (String sql : statements) {
            try (Statement s = c.createStatement()) {
                if (sql.startsWith("CREATE DATABASE")) {
                    s.unwrap(StatementImpl.class).getLocalSettings().setDatabase("default");
                }
                s.execute(sql);
            }
        }
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The DDL with ${database} replaced by that database's name (a plain identifier). */
    static List<String> statements(String database) {
        if (!IDENTIFIER.matcher(database).matches()) {
            throw new IllegalArgumentException("pipeline.clickhouse.database must be a plain identifier: " + database);
        }
        return statements().stream().map(sql -> sql.replace("${database}", database)).toList();
    }

    private static List<String> statements() {
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
