package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import io.agroal.api.AgroalDataSource;
import io.pandashop.pipeline.config.PipelineConfig;
import io.quarkus.agroal.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** The insert path pipeline.clickhouse.insert-client chooses (README, "ClickHouse": why the default is what it is). */
@ApplicationScoped
public class RowsInserterProducer {

    private static final Logger LOG = Logger.getLogger(RowsInserterProducer.class);

    @Produces
    @Singleton
    RowsInserter inserter(PipelineConfig config, Instance<Client> client,
            @DataSource("clickhouse") Instance<AgroalDataSource> jdbc) {
        PipelineConfig.InsertClient chosen = config.clickhouse().insertClient();
        return switch (chosen) {
            case JDBC -> {
                LOG.info("ClickHouse inserts through clickhouse-jdbc batches (Agroal datasource 'clickhouse')");
                yield new JdbcRowsInserter(jdbc.get());
            }
            case CLIENT_V2 -> {
                LOG.info("ClickHouse inserts through client-v2 JSONEachRow");
                yield new ClientV2RowsInserter(client.get());
            }
            case ROW_BINARY -> {
                LOG.info("ClickHouse inserts through client-v2 RowBinary");
                yield new RowBinaryRowsInserter(client.get());
            }
        };
    }
}
