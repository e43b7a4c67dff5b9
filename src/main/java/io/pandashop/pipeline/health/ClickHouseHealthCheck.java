package io.pandashop.pipeline.health;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while ClickHouse answers its ping. */
@Readiness
@ApplicationScoped
public class ClickHouseHealthCheck implements HealthCheck {

    private final Client client;
    private final String url;

    public ClickHouseHealthCheck(Client client, PipelineConfig config) {
        this.client = client;
        this.url = config.clickhouse().url();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("ClickHouse").status(client.ping(2_000)).withData("url", url).build();
    }
}
