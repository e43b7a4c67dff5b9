package io.pandashop.pipeline.sink.external;

import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.temporal.ChronoUnit;

/** Posts batches to the external system, with the retry policies of the live path and of the parking path. */
@ApplicationScoped
public class ExternalDelivery {

    private final ExternalSystemClient client;

    public ExternalDelivery(@RestClient ExternalSystemClient client) {
        this.client = client;
    }

    private Uni<Void> post(ExternalBatch batch) {
        return client.post(batch.idempotencyKey(), MediaType.APPLICATION_JSON, batch.body().contentLength(),
                batch.body().buffers());
    }

    /**
     * Live path: a few quick retries; when the system keeps failing the breaker opens and batches fail at once,
     * to be parked, so an outage there does not slow ClickHouse and Redis.
     */
    @Retry(maxRetries = 2, delay = 200, jitter = 100, abortOn = ExternalRejection.class)
    @ExponentialBackoff(maxDelay = 2_000)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 15, delayUnit = ChronoUnit.SECONDS,
            skipOn = ExternalRejection.class)
    public Uni<Void> deliverNow(ExternalBatch batch) {
        return post(batch);
    }

    /**
     * Parking path: one attempt; the caller retries until the system answers again, while parked batches wait on
     * their topic. A rejection fails with {@link ExternalRejection}.
     */
    public Uni<Void> deliverOnce(ExternalBatch batch) {
        return post(batch);
    }
}
