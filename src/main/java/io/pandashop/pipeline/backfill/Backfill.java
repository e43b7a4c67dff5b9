package io.pandashop.pipeline.backfill;

import io.smallrye.mutiny.subscription.Cancellable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** One backfill's progress; updated from the reading and acking threads, read by the API and the dashboard. */
final class Backfill {

    private final String id;
    private final BackfillRequest request;
    private final Clock clock;
    private final Instant startedAt;
    private final AtomicLong rowsDone = new AtomicLong();
    private volatile Long rowsTotal;
    private volatile Long sourceLsn;
    private volatile BackfillState state = BackfillState.RUNNING;
    private volatile Instant finishedAt;
    private volatile String error;
    private volatile Cancellable subscription;

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

    void snapshotTaken(long lsn, long total) {
        sourceLsn = lsn;
        rowsTotal = total;
    }

    void done(int rows) {
        rowsDone.addAndGet(rows);
    }

    /** A cancel that came before the subscription was known stops it now. */
    void running(Cancellable subscription) {
        this.subscription = subscription;
        if (state == BackfillState.CANCELLED) {
            subscription.cancel();
        }
    }

    /** The first end wins: a cancel racing the last ack stays a cancel. */
    synchronized boolean finish(BackfillState end, String reason) {
        if (state.finished()) {
            return false;
        }
        state = end;
        error = reason;
        finishedAt = clock.instant();
        return true;
    }

    boolean cancel() {
        if (!finish(BackfillState.CANCELLED, null)) {
            return false;
        }
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
        return true;
    }

    BackfillState state() {
        return state;
    }

    double rowsPerSecond() {
        Instant end = finishedAt != null ? finishedAt : clock.instant();
        double seconds = Duration.between(startedAt, end).toMillis() / 1000.0;
        return seconds <= 0 ? 0 : rowsDone.get() / seconds;
    }

    BackfillStatus status() {
        long done = rowsDone.get();
        double rate = rowsPerSecond();
        Long total = rowsTotal;
        Long eta = null;
        if (!state.finished() && total != null && rate > 0) {
            eta = Math.round(Math.max(0, total - done) / rate);
        }
        return new BackfillStatus(id, state, request.from(), request.to(), request.contentType(), total, done,
                Math.round(rate * 10) / 10.0, eta, startedAt, finishedAt, sourceLsn,
                error == null ? List.of() : List.of(error));
    }
}
