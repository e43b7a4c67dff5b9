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
        LOG.infof("ClickHouse inserts through %s", chosen == PipelineConfig.InsertClient.JDBC
                ? "clickhouse-jdbc batches (Agroal datasource 'clickhouse')" : "client-v2 JSONEachRow");
        return chosen == PipelineConfig.InsertClient.JDBC
                ? new JdbcRowsInserter(jdbc.get())
                : new ClientV2RowsInserter(client.get());
    }
}
