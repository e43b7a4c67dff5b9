package io.pandashop.pipeline.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live unless a destination consumer has stopped. Outages never stop one (they are retried), so a stopped
 * consumer is a defect in the process, which a restart repairs: the one case where liveness should fail.
 */
@Liveness
@ApplicationScoped
public class ConsumerLiveness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ConsumerLiveness.class);

    private final Map<String, String> stopped = new ConcurrentHashMap<>();

    public void stopped(String consumer, Throwable failure) {
        String reason = failure == null ? "completed" : failure.toString();
        stopped.put(consumer, reason);
        LOG.errorf(failure, "consumer of %s stopped (%s); the process needs a restart", consumer, reason);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Destination consumers").up();
        stopped.forEach((name, reason) -> response.down().withData(name, reason));
        return response.build();
    }
}
