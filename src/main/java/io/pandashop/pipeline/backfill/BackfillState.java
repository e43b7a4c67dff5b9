package io.pandashop.pipeline.backfill;

import io.quarkus.runtime.annotations.RegisterForReflection;

@RegisterForReflection
public enum BackfillState {
    /** Waiting for transactions that started before it, then reading and delivering. */
    RUNNING,
    /** Every row read was taken by every destination. */
    SUCCEEDED,
    /** Stopped by an error (see its errors); running it again is safe. */
    FAILED,
    /** Stopped on request; rows delivered so far stay delivered. */
    CANCELLED;

    public boolean finished() {
        return this != RUNNING;
    }
}
