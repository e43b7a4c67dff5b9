package io.pandashop.pipeline.fanout;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.ArrayDeque;

/**
 * A semaphore counting batches and their bytes, whose acquire is a Uni: the fan-out waits for room without holding
 * a thread, and while it waits it takes no more batches, so the Kafka consumer pauses (back-pressure). A batch
 * larger than the whole byte budget still goes, once nothing else is in flight, so it cannot wait forever. Waiters
 * are served in order.
 */
final class AsyncPermits {

    private record Waiter(UniEmitter<? super Void> emitter, long bytes) {
    }

    private final int max;
    private final long maxBytes;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int used;
    private long usedBytes;

    AsyncPermits(int max) {
        this(max, Long.MAX_VALUE);
    }

    AsyncPermits(int max, long maxBytes) {
        if (max < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("pipeline.fan-out.max-in-flight and max-in-flight-bytes must be at least 1");
        }
        this.max = max;
        this.maxBytes = maxBytes;
    }

    Uni<Void> acquire() {
        return acquire(0);
    }

    /** Room for one batch of {@code bytes}; give it back with {@link #release(long)} and the same bytes. */
    Uni<Void> acquire(long bytes) {
        return Uni.createFrom().emitter(emitter -> {
            boolean granted;
            synchronized (this) {
                granted = waiting.isEmpty() && fits(bytes);
                if (granted) {
                    take(bytes);
                } else {
                    waiting.add(new Waiter(emitter, bytes));
                }
            }
            if (granted) {
                emitter.complete(null);
            }
        });
    }

    void release() {
        release(0);
    }

    void release(long bytes) {
        ArrayDeque<Waiter> granted = new ArrayDeque<>();
        synchronized (this) {
            used--;
            usedBytes -= bytes;
            while (!waiting.isEmpty() && fits(waiting.peek().bytes())) {
                Waiter next = waiting.poll();
                take(next.bytes());
                granted.add(next);
            }
        }
        granted.forEach(w -> w.emitter().complete(null)); // outside the lock: completing runs the waiter's work
    }

    private boolean fits(long bytes) {
        return used < max && (used == 0 || usedBytes + bytes <= maxBytes);
    }

    private void take(long bytes) {
        used++;
        usedBytes += bytes;
    }

    synchronized int inUse() {
        return used;
    }

    synchronized long bytesInUse() {
        return usedBytes;
    }
}
