package io.pandashop.pipeline.backfill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pandashop.pipeline.cdc.ReadPage;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts, tracks and cancels backfills. A backfill's pages go into {@value Channels#BACKFILL_ROWS}, through the
 * same enrichment, fan-out and destinations as live changes; a page counts as done when every destination has
 * taken it, and at most pipeline.backfill.max-pages-in-flight pages are on their way, so a slow destination slows
 * the backfill as it slows the live stream. One backfill runs at a time.
 */
@Startup // its metrics exist from the start (alerts and dashboards query them)
@ApplicationScoped
public class Backfills {

    private static final Logger LOG = Logger.getLogger(Backfills.class);

    /** Another backfill is running. */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning(String id) {
            super("backfill " + id + " is running; cancel it or wait for it to finish", null, false, false);
        }
    }

    private final SnapshotReader reader;
    private final MutinyEmitter<ReadPage> rows;
    private final PipelineConfig.Backfill config;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Backfill> backfills = new LinkedHashMap<>();
    private final Counter rowsDone;
    private volatile Backfill running;

    public Backfills(SnapshotReader reader, @Channel(Channels.BACKFILL_ROWS) MutinyEmitter<ReadPage> rows,
            PipelineConfig config, MeterRegistry registry) {
        this.reader = reader;
        this.rows = rows;
        this.config = config.backfill();
        if (this.config.pageSize() < 1 || this.config.maxPagesInFlight() < 1) {
            throw new IllegalArgumentException("pipeline.backfill.page-size and max-pages-in-flight must be at least 1");
        }
        this.rowsDone = Counter.builder("pipeline.backfill.rows")
                .description("rows backfills have delivered to every destination").register(registry);
        registry.gauge("pipeline.backfill.running", Tags.empty(), this, b -> b.running == null ? 0 : 1);
        registry.gauge("pipeline.backfill.rows.per.second", Tags.empty(), this,
                b -> b.running == null ? 0 : b.running.rowsPerSecond());
    }

    public synchronized BackfillStatus start(BackfillRequest request) {
        if (running != null) {
            throw new AlreadyRunning(running.id());
        }
        Backfill backfill = new Backfill(UUID.randomUUID().toString(), request, clock);
        remember(backfill);
        running = backfill;
        LOG.infof("backfill %s started: event_ts from %s to %s%s", backfill.id(), request.from(), request.to(),
                request.contentType() == null ? "" : ", content type " + request.contentType());
        try {
            backfill.running(reader.pages(request, config.pageSize(), config.startTimeout(),
                            backfill::snapshotTaken)
                    .filter(page -> !page.changes().isEmpty())
                    .onItem().transformToUni(page -> deliver(backfill, page)).merge(config.maxPagesInFlight())
                    .onCompletion().invoke(() -> finished(backfill, BackfillState.SUCCEEDED, null))
                    .onFailure().invoke(e -> finished(backfill, BackfillState.FAILED, describe(e)))
                    .subscribe().with(ignored -> {
                    }, ignored -> {
                    }));
        } catch (RuntimeException e) {
            finished(backfill, BackfillState.FAILED, describe(e));
            throw e;
        }
        return backfill.status();
    }

    private Uni<Void> deliver(Backfill backfill, ReadPage page) {
        int size = page.changes().size();
        return rows.sendMessage(Message.of(page)).invoke(() -> {
            backfill.done(size);
            rowsDone.increment(size);
        });
    }

    public Optional<BackfillStatus> get(String id) {
        return Optional.ofNullable(find(id)).map(Backfill::status);
    }

    /** The newest first. */
    public synchronized List<BackfillStatus> list() {
        List<BackfillStatus> all = new ArrayList<>();
        backfills.values().forEach(b -> all.add(b.status()));
        all.sort(Comparator.comparing(BackfillStatus::startedAt).reversed());
        return all;
    }

    /** @return the backfill as it is after the request; empty when there is no such backfill */
    public Optional<BackfillStatus> cancel(String id) {
        Backfill backfill = find(id);
        if (backfill == null) {
            return Optional.empty();
        }
        if (backfill.cancel()) {
            ended(backfill);
        }
        return Optional.of(backfill.status());
    }

    private synchronized Backfill find(String id) {
        return backfills.get(id);
    }

    private void finished(Backfill backfill, BackfillState end, String error) {
        if (backfill.finish(end, error)) {
            ended(backfill);
        }
    }

    private synchronized void ended(Backfill backfill) {
        if (running == backfill) {
            running = null;
        }
        BackfillStatus s = backfill.status();
        if (s.state() == BackfillState.FAILED) {
            LOG.warnf("backfill %s failed after %d rows: %s", s.id(), s.rowsDone(), s.errors().get(0));
        } else {
            LOG.infof("backfill %s %s: %d of %s rows, %.0f rows/s", s.id(), s.state().name().toLowerCase(),
                    s.rowsDone(), s.rowsTotal() == null ? "?" : s.rowsTotal(), s.rowsPerSecond());
        }
    }

    private synchronized void remember(Backfill backfill) {
        backfills.put(backfill.id(), backfill);
        while (backfills.size() > config.history() + 1) {
            String oldest = backfills.values().stream().filter(b -> b.state().finished()).map(Backfill::id)
                    .findFirst().orElse(null);
            if (oldest == null) {
                break;
            }
            backfills.remove(oldest);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
