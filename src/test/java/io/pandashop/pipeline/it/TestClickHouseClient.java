package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tests' own ClickHouse client (client-v2, which clickhouse-jdbc is built on) for their checking queries, injected
 * into the @QuarkusTest classes. Test code only: the service itself talks to ClickHouse through its datasource alone.
 * Same server and database as the service in the test profile.
 */
@ApplicationScoped
public class TestClickHouseClient {

    @Produces
    @ApplicationScoped
    Client clickHouse(@ConfigProperty(name = "clickhouse.port") int port,
            @ConfigProperty(name = "pipeline.clickhouse.database") String database) {
        return new Client.Builder()
                .addEndpoint("http://127.0.0.1:" + port)
                .setUsername("default").setPassword("")
                .setDefaultDatabase(database)
                .build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
