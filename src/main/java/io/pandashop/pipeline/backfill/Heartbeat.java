package io.pandashop.pipeline.backfill;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the shared state of the backfill this replica runs. Every {@value #EVERY_MS} ms, and at once when its state
 * changes, it writes the progress and learns whether another replica asked to cancel it; every third of the lease
 * TTL it renews the lease. Once the backfill has ended here it writes the end, then releases the lease. All on one
 * thread, so the writes keep their order (and none is made on an event loop).
 */
final class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class);
    static final long EVERY_MS = 500;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private final Backfill backfill;
    private final String holder;
    private final BackfillStore store;
    private final BackfillLease lease;
    private final ScheduledExecutorService thread;
    private final Consumer<Heartbeat> onEnd;
    private ScheduledFuture<?> ticks;
    private Map<String, String> written = Map.of();
    private long renewedAt;
    private boolean unreachable;
    private boolean over;

    Heartbeat(Backfill backfill, String holder, BackfillStore store, BackfillLease lease,
            ScheduledExecutorService thread, Consumer<Heartbeat> onEnd) {
        this.backfill = backfill;
        this.holder = holder;
        this.store = store;
        this.lease = lease;
        this.thread = thread;
        this.onEnd = onEnd;
    }

    Backfill backfill() {
        return backfill;
    }

    /** From when the lease was taken. */
    void start() {
        renewedAt = System.nanoTime();
        ticks = thread.scheduleWithFixedDelay(this::tick, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /** A state change: written now rather than at the next tick. */
    void wake() {
        try {
            thread.execute(this::tick);
        } catch (RejectedExecutionException stopping) {
            // the service is stopping; its shutdown writes the end
        }
    }

    /** Done when what the backfill is now has been written (or could not be: Redis is unavailable). */
    CompletableFuture<Void> flush() {
        return CompletableFuture.runAsync(this::tick, thread);
    }

    private void tick() {
        if (over) {
            return;
        }
        try {
            Map<String, String> ending = backfill.ending();
            if (ending != null) {
                end(ending);
                return;
            }
            Map<String, String> progress = backfill.progress();
            BackfillStore.Found found = await(store.update(backfill.id(), progress.equals(written) ? Map.of()
                    : progress));
            written = progress;
            if (found == BackfillStore.Found.CANCEL_REQUESTED) {
                backfill.stop(BackfillState.CANCELLED, null);
                end(backfill.ending());
                return;
            }
            if (found == BackfillStore.Found.ENDED) {
                // Another replica found its lease gone (this one stalled longer than the TTL) and failed it.
                backfill.stop(BackfillState.FAILED, BackfillStore.LEASE_EXPIRED);
                end(backfill.ending());
                return;
            }
            if (System.nanoTime() - renewedAt >= lease.ttl().toNanos() / 3) {
                if (!await(lease.renew(holder))) {
                    backfill.stop(BackfillState.FAILED, BackfillStore.LEASE_EXPIRED);
                    end(backfill.ending());
                    return;
                }
                renewedAt = System.nanoTime();
            }
            if (unreachable) {
                unreachable = false;
                LOG.infof("backfill %s: its shared state in Redis is reachable again", backfill.id());
            }
        } catch (RuntimeException e) {
            if (!unreachable) {
                unreachable = true;
                LOG.warnf("backfill %s: cannot write its shared state (%s); retrying", backfill.id(), e.getMessage());
            }
            // Once the lease expires another replica may start a backfill: stop a third of the TTL before that
            // (two renewals missed), so two never read at once.
            if (System.nanoTime() - renewedAt > lease.ttl().toNanos() * 2 / 3) {
                backfill.stop(BackfillState.FAILED, "this replica could not renew its lease (pipeline.backfill.lease "
                        + lease.ttl() + "): Redis was unavailable");
            }
        }
    }

    /** Writes the end (nothing if another replica already ended it), then lets the lease go. */
    private void end(Map<String, String> ending) {
        await(store.update(backfill.id(), ending));
        await(lease.release(holder));
        over = true;
        if (ticks != null) {
            ticks.cancel(false);
        }
        onEnd.accept(this);
    }

    private static <T> T await(io.smallrye.mutiny.Uni<T> call) {
        return call.await().atMost(CALL_TIMEOUT);
    }
}
