package io.pandashop.pipeline.backfill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pandashop.pipeline.cdc.ReadPage;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts, tracks and cancels backfills. A backfill's pages go into {@value Channels#BACKFILL_ROWS}, through the
 * same enrichment, fan-out and destinations as live changes; a page counts as done when every destination has
 * taken it, and at most pipeline.backfill.max-pages-in-flight pages are on their way, so a slow destination slows
 * the backfill as it slows the live stream.
 * <p>
 * Across replicas: one backfill runs at a time, on the replica that holds the lease ({@link BackfillLease}); its
 * state is in Redis ({@link BackfillStore}), so any replica lists it, reports it and cancels it (a cancel asked of
 * another replica is a request the running one sees within {@value Heartbeat#EVERY_MS} ms).
 */
@Startup // its metrics exist from the start (alerts and dashboards query them)
@ApplicationScoped
public class Backfills {

    private static final Logger LOG = Logger.getLogger(Backfills.class);
    /** How long a cancel asked of a replica that does not run the backfill waits for the one that does. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(5);
    private static final Duration CANCEL_POLL = Duration.ofMillis(100);

    /** Another backfill is running. */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning(String id) {
            super("backfill " + id + " is running; cancel it or wait for it to finish", null, false, false);
        }
    }

    private final SnapshotReader reader;
    private final MutinyEmitter<ReadPage> rows;
    private final PipelineConfig.Backfill config;
    private final BackfillStore store;
    private final BackfillLease lease;
    private final Clock clock = Clock.systemUTC();
    /** This replica in lease values: its host (the pod's name) and a random part, as two may share a host. */
    private final String instance = System.getenv().getOrDefault("HOSTNAME", "localhost") + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backfill-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final Counter rowsDone;
    private volatile Heartbeat running;

    public Backfills(SnapshotReader reader, @Channel(Channels.BACKFILL_ROWS) MutinyEmitter<ReadPage> rows,
            PipelineConfig config, BackfillStore store, BackfillLease lease, MeterRegistry registry) {
        this.reader = reader;
        this.rows = rows;
        this.config = config.backfill();
        this.store = store;
        this.lease = lease;
        if (this.config.pageSize() < 1 || this.config.maxPagesInFlight() < 1) {
            throw new IllegalArgumentException("pipeline.backfill.page-size and max-pages-in-flight must be at least 1");
        }
        this.rowsDone = Counter.builder("pipeline.backfill.rows")
                .description("rows backfills have delivered to every destination").register(registry);
        // This replica's backfill: the one running elsewhere is reported by that replica's gauges.
        registry.gauge("pipeline.backfill.running", Tags.empty(), this, b -> b.running == null ? 0 : 1);
        registry.gauge("pipeline.backfill.rows.per.second", Tags.empty(), this,
                b -> b.running == null ? 0 : b.running.backfill().rowsPerSecond());
    }

    /** @throws AlreadyRunning (as the Uni's failure) while another backfill holds the lease, on any replica */
    public Uni<BackfillStatus> start(BackfillRequest request) {
        Backfill backfill = new Backfill(UUID.randomUUID().toString(), request, clock);
        String holder = BackfillLease.holder(backfill.id(), instance);
        Map<String, String> fields = backfill.created(instance);
        return lease.acquire(holder).chain(taken -> {
            if (!taken) {
                return lease.holder().chain(other -> Uni.createFrom().failure(
                        new AlreadyRunning(other == null ? "(just ending)" : BackfillLease.idOf(other))));
            }
            return store.create(backfill.id(), backfill.startedAt(), fields)
                    .onFailure().call(() -> lease.release(holder).onFailure().recoverWithNull())
                    .map(ignored -> {
                        run(backfill, holder);
                        return BackfillStore.status(fields, clock.instant());
                    });
        });
    }

    private void run(Backfill backfill, String holder) {
        Heartbeat heartbeat = new Heartbeat(backfill, holder, store, lease, heartbeats, this::ended);
        running = heartbeat;
        heartbeat.start();
        BackfillRequest request = backfill.request();
        LOG.infof("backfill %s started: event_ts from %s to %s%s", backfill.id(), request.from(), request.to(),
                request.contentType() == null ? "" : ", content type " + request.contentType());
        try {
            backfill.running(reader.pages(request, config.pageSize(), config.startTimeout(), (lsn, total) -> {
                        backfill.snapshotTaken(lsn, total);
                        heartbeat.wake();
                    })
                    .filter(page -> !page.changes().isEmpty())
                    .onItem().transformToUni(page -> deliver(backfill, page)).merge(config.maxPagesInFlight())
                    .onCompletion().invoke(() -> finish(heartbeat, BackfillState.SUCCEEDED, null))
                    .onFailure().invoke(e -> finish(heartbeat, BackfillState.FAILED, describe(e)))
                    .subscribe().with(ignored -> {
                    }, ignored -> {
                    }));
        } catch (RuntimeException e) {
            finish(heartbeat, BackfillState.FAILED, describe(e));
        }
    }

    private Uni<Void> deliver(Backfill backfill, ReadPage page) {
        int size = page.changes().size();
        return rows.sendMessage(Message.of(page)).invoke(() -> {
            backfill.done(size);
            rowsDone.increment(size);
        });
    }

    private static void finish(Heartbeat heartbeat, BackfillState end, String error) {
        if (heartbeat.backfill().finish(end, error)) {
            heartbeat.wake();
        }
    }

    /** Null when there is no such backfill. */
    public Uni<BackfillStatus> get(String id) {
        return isId(id) ? store.read(id) : Uni.createFrom().nullItem();
    }

    /** The newest first. */
    public Uni<List<BackfillStatus>> list() {
        return store.list();
    }

    /** The newest, running or finished; null when none is kept. */
    public Uni<BackfillStatus> latest() {
        return store.latest();
    }

    /**
     * Stops a running backfill; a finished one is left as it is. On this replica it stops at once; on another, this
     * asks it to and waits up to {@link #CANCEL_WAIT} for it to have stopped.
     *
     * @return the backfill as it is after the request; null when there is no such backfill
     */
    public Uni<BackfillStatus> cancel(String id) {
        if (!isId(id)) {
            return Uni.createFrom().nullItem();
        }
        Heartbeat local = running;
        if (local != null && local.backfill().id().equals(id)) {
            local.backfill().stop(BackfillState.CANCELLED, null);
            return Uni.createFrom().completionStage(local.flush()).chain(() -> store.read(id));
        }
        return store.update(id, Map.of("cancel_requested", clock.instant().toString()))
                .chain(found -> found == BackfillStore.Found.ENDED ? store.read(id)
                        : stopped(id, System.nanoTime() + CANCEL_WAIT.toNanos()));
    }

    private Uni<BackfillStatus> stopped(String id, long deadline) {
        return store.read(id).chain(s -> s == null || s.state().finished() || System.nanoTime() > deadline
                ? Uni.createFrom().item(s)
                : Uni.createFrom().voidItem().onItem().delayIt().by(CANCEL_POLL).chain(() -> stopped(id, deadline)));
    }

    /**
     * A backfill cannot go on in another process (its snapshot is this one's transaction), so stopping the service
     * fails the one it runs at once, instead of leaving it RUNNING until its lease expires. FAILED, not CANCELLED:
     * nobody asked for it to stop, and running it again is safe.
     */
    void stopping(@Observes ShutdownEvent event) {
        Heartbeat local = running;
        if (local != null) {
            // An end not yet written (it just succeeded, say) stays what it was; the flush writes it.
            local.backfill().stop(BackfillState.FAILED, "the service stopped");
            try {
                local.flush().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("backfill %s: could not record that the service stopped (%s); it shows FAILED once its "
                        + "lease expires", local.backfill().id(), e.getMessage());
            }
        }
        heartbeats.shutdownNow();
    }

    /** Its end is in the shared state and the lease is released. */
    private void ended(Heartbeat heartbeat) {
        if (running == heartbeat) {
            running = null;
        }
        Backfill b = heartbeat.backfill();
        Map<String, String> end = b.ending();
        if (b.end() == BackfillState.FAILED) {
            LOG.warnf("backfill %s failed after %d rows: %s", b.id(), b.rowsDone(), end.get("error"));
        } else {
            LOG.infof("backfill %s %s: %d of %s rows, %.0f rows/s", b.id(), b.end().name().toLowerCase(),
                    b.rowsDone(), b.rowsTotal() == null ? "?" : b.rowsTotal(), b.rowsPerSecond());
        }
    }

    private static boolean isId(String id) {
        try {
            return UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
