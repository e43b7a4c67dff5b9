package io.pandashop.pipeline.fanout;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.ArrayDeque;

/**
 * A counting semaphore whose acquire is a Uni: the fan-out waits for a free permit without holding a thread, and
 * while it waits it takes no more batches, so the Kafka consumer pauses (back-pressure).
 */
final class AsyncPermits {

    private final int max;
    private final ArrayDeque<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
    private int used;

    AsyncPermits(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("pipeline.fan-out.max-in-flight must be at least 1");
        }
        this.max = max;
    }

    Uni<Void> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            boolean granted;
            synchronized (this) {
                granted = used < max;
                if (granted) {
                    used++;
                } else {
                    waiting.add(emitter);
                }
            }
            if (granted) {
                emitter.complete(null);
            }
        });
    }

    void release() {
        UniEmitter<? super Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
            }
        }
        if (next != null) {
            next.complete(null); // the permit passes straight to the next waiter
        }
    }

    synchronized int inUse() {
        return used;
    }
}
