package io.pandashop.pipeline.health;

import io.pandashop.pipeline.config.PipelineConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one failure policy for dependencies (README, "Failure policy"): an operation that fails because a
 * dependency is down is retried with exponential backoff and jitter for as long as it takes, never given up,
 * so no channel ever fails or nacks because of an outage. Readiness names the dependency meanwhile.
 */
@ApplicationScoped
public class DependencyRetry {

    private final DependencyStatus status;
    private final Duration initial;
    private final Duration max;

    public DependencyRetry(DependencyStatus status, PipelineConfig config) {
        this.status = status;
        this.initial = config.retry().initialBackoff();
        this.max = config.retry().maxBackoff();
    }

    /** Retries until the operation succeeds; consumption waits meanwhile, so readiness goes down. */
    public <T> Uni<T> untilAvailable(String dependency, Supplier<Uni<? extends T>> operation) {
        return retry(dependency, operation, true);
    }

    /** The same, for a dependency the pipeline does not wait for (parked deliveries): readiness stays up. */
    public <T> Uni<T> untilAvailableInBackground(String dependency, Supplier<Uni<? extends T>> operation) {
        return retry(dependency, operation, false);
    }

    private <T> Uni<T> retry(String dependency, Supplier<Uni<? extends T>> operation, boolean blocking) {
        return Uni.createFrom().<T>deferred(operation)
                .onItem().invoke(() -> status.ok(dependency))
                .onFailure().invoke(e -> status.failed(dependency, e, blocking))
                .onFailure().retry().withBackOff(initial, max).withJitter(0.2).indefinitely();
    }
}
