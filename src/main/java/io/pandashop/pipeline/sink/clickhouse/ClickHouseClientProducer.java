package io.pandashop.pipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** One ClickHouse client (HTTP, pooled connections) for the whole service. */
@ApplicationScoped
public class ClickHouseClientProducer {

    @Produces
    @ApplicationScoped
    Client client(PipelineConfig config) {
        PipelineConfig.ClickHouse ch = config.clickhouse();
        return new Client.Builder()
                .addEndpoint(ch.url())
                .setUsername(ch.user())
                .setPassword(ch.password().orElse(""))
                .setDefaultDatabase(ch.database())
                .compressClientRequest(ch.compress())
                .compressServerResponse(ch.compress())
                .build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
