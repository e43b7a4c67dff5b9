package io.pandashop.pipeline.health;

import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.config.Redaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Whether the external system accepts connections. Reported on readiness for operators; an outage there is
 * survived (events are parked), so this check reports the state without failing readiness.
 */
@Readiness
@ApplicationScoped
public class ExternalSystemHealthCheck implements HealthCheck {

    private final URI url;
    private final boolean enabled;

    public ExternalSystemHealthCheck(@ConfigProperty(name = "quarkus.rest-client.external.url") URI url,
            PipelineConfig config) {
        this.url = url;
        this.enabled = config.destinations().get("external").enabled();
    }

    @Override
    public HealthCheckResponse call() {
        boolean reachable = enabled && reachable();
        return HealthCheckResponse.named("External system").up()
                .withData("url", Redaction.text(url.toString()))
                .withData("enabled", enabled)
                .withData("reachable", reachable)
                .build();
    }

    private boolean reachable() {
        int port = url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 80);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
