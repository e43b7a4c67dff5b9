package io.pandashop.pipeline.backfill;

import io.smallrye.mutiny.subscription.Cancellable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backfill this replica runs: its progress, counted by the reading and acking threads, and how it ended here.
 * Its shared state (what every replica reads) is written from this by its {@link Heartbeat}.
 */
final class Backfill {

    private final String id;
    private final BackfillRequest request;
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong rowsDone = new AtomicLong();
    private volatile Long rowsTotal;
    private volatile Long sourceLsn;
    private volatile Cancellable subscription;
    private BackfillState end;
    private String error;
    private Instant finishedAt;

    Backfill(String id, BackfillRequest request, Clock clock) {
        this.id = id;
        this.request = request;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    String id() {
        return id;
    }

    BackfillRequest request() {
        return request;
    }

    Instant startedAt() {
        return startedAt;
    }

    void snapshotTaken(long lsn, long total) {
        sourceLsn = lsn;
        rowsTotal = total;
    }

    void done(int rows) {
        rowsDone.addAndGet(rows);
    }

    long rowsDone() {
        return rowsDone.get();
    }

    Long rowsTotal() {
        return rowsTotal;
    }

    /** An end that came before the subscription was known stops it now. */
    void running(Cancellable subscription) {
        this.subscription = subscription;
        if (ended()) {
            subscription.cancel();
        }
    }

    /** The reading ended by itself. The first end wins (a cancel racing the last ack stays a cancel). */
    synchronized boolean finish(BackfillState end, String reason) {
        if (this.end != null) {
            return false;
        }
        this.end = end;
        this.error = reason;
        this.finishedAt = clock.instant();
        return true;
    }

    /** Ends it from outside the reading (a cancel, a lost lease, a stop), and stops the reading. */
    boolean stop(BackfillState end, String reason) {
        if (!finish(end, reason)) {
            return false;
        }
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
        return true;
    }

    synchronized boolean ended() {
        return end != null;
    }

    synchronized BackfillState end() {
        return end;
    }

    double rowsPerSecond() {
        Instant until;
        synchronized (this) {
            until = finishedAt != null ? finishedAt : clock.instant();
        }
        double seconds = Duration.between(startedAt, until).toMillis() / 1000.0;
        return seconds <= 0 ? 0 : rowsDone.get() / seconds;
    }

    /** Its fields in the shared state when it starts. */
    Map<String, String> created(String instance) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("state", BackfillState.RUNNING.name());
        fields.put("from", request.from().toString());
        fields.put("to", request.to().toString());
        if (request.contentType() != null) {
            fields.put("content_type", request.contentType());
        }
        fields.put("rows_done", "0");
        fields.put("started_at", startedAt.toString());
        fields.put("instance", instance); // which replica runs it, for whoever looks into Redis
        return fields;
    }

    /** Its progress fields as of now. */
    Map<String, String> progress() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("rows_done", Long.toString(rowsDone.get()));
        Long total = rowsTotal;
        if (total != null) {
            fields.put("rows_total", total.toString());
            fields.put("source_lsn", sourceLsn.toString());
        }
        return fields;
    }

    /** Its progress and end fields; null while it has not ended here. */
    synchronized Map<String, String> ending() {
        if (end == null) {
            return null;
        }
        Map<String, String> fields = progress();
        fields.put("state", end.name());
        fields.put("finished_at", finishedAt.toString());
        if (error != null) {
            fields.put("error", error);
        }
        return fields;
    }
}
