package io.pandashop.pipeline.health;

import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one failure policy for dependencies (README, "Failure policy"): an operation that fails because a
 * dependency is down is retried with exponential backoff and jitter for as long as it takes, never given up,
 * so no channel ever fails or nacks because of an outage. Readiness names the dependency meanwhile. A
 * {@link RejectedWrite} is not an outage: it is never waited for, and fails through to the caller.
 */
@ApplicationScoped
public class DependencyRetry {

    private final DependencyStatus status;
    private final Duration initial;
    private final Duration max;
    private final int rejectedAttempts;

    public DependencyRetry(DependencyStatus status, PipelineConfig config) {
        this.status = status;
        this.initial = config.retry().initialBackoff();
        this.max = config.retry().maxBackoff();
        this.rejectedAttempts = config.retry().rejectedAttempts();
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
                .onFailure(DependencyRetry::isOutage).invoke(e -> status.failed(dependency, e, blocking))
                .onFailure(DependencyRetry::isOutage).retry().withBackOff(initial, max).withJitter(0.2).indefinitely();
    }

    /**
     * A refused write is tried a few times in all, then fails with its refusal (the caller isolates and parks):
     * the dependency answered, so it is not marked as failing.
     */
    public <T> Uni<T> fewTimes(Supplier<Uni<? extends T>> operation) {
        Uni<T> attempt = Uni.createFrom().deferred(operation);
        if (rejectedAttempts <= 1) {
            return attempt;
        }
        return attempt.onFailure(RejectedWrite.class).retry().withBackOff(initial, max).withJitter(0.2)
                .atMost(rejectedAttempts - 1);
    }

    /** Everything but a refusal of the content: wait for it with backoff, as long as it takes. */
    private static boolean isOutage(Throwable e) {
        return !(e instanceof RejectedWrite);
    }
}
