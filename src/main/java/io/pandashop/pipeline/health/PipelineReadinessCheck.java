package io.pandashop.pipeline.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;

/**
 * Not ready while the pipeline is waiting for a dependency (a destination write, a PostgreSQL lookup or a
 * dead-letter write keeps failing); each failing dependency is named with its last error.
 */
@Readiness
@ApplicationScoped
public class PipelineReadinessCheck implements HealthCheck {

    private final DependencyStatus status;

    public PipelineReadinessCheck(DependencyStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Pipeline dependencies").up();
        for (Map.Entry<String, DependencyStatus.Failure> f : status.failing().entrySet()) {
            DependencyStatus.Failure failure = f.getValue();
            response.withData(f.getKey(), String.format("%s for %d s, %d attempts failed: %s",
                    failure.blocking() ? "DOWN" : "DEGRADED", (System.currentTimeMillis() - failure.sinceMillis()) / 1000,
                    failure.attempts(), failure.error()));
            if (f.getValue().blocking()) {
                response.down();
            }
        }
        return response.build();
    }
}
