package io.pandashop.pipeline.sink.external;

import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/** Adds the configured authentication header (name and value from pipeline.external.*) to every request. */
public class ExternalAuthFilter implements ClientRequestFilter {

    private final PipelineConfig config;

    public ExternalAuthFilter(PipelineConfig config) {
        this.config = config;
    }

    @Override
    public void filter(ClientRequestContext request) {
        config.external().authValue()
                .filter(v -> !v.isBlank())
                .ifPresent(v -> request.getHeaders().putSingle(config.external().authHeader(), v));
    }
}
