package io.pandashop.pipeline.deadletter;

import io.smallrye.mutiny.Uni;

/**
 * Splits a refused write until the refused records are isolated: the range is written whole; if the destination
 * refuses it ({@link RejectedWrite}), each half is written on its own, and so on down to single records, which
 * are parked with the destination's answer. k refused records among n cost about k·log2(n) extra writes; every
 * record the destination takes is written. Outages are not handled here: the range writer waits them out.
 */
public final class RejectionIsolation {

    /** Writes records [from, to) in one write; fails with {@link RejectedWrite} when the destination refuses it. */
    @FunctionalInterface
    public interface RangeWriter {
        Uni<Void> write(int from, int to);
    }

    /** Parks record {@code index}, which the destination refused on its own. */
    @FunctionalInterface
    public interface RecordParker {
        Uni<Void> park(int index, RejectedWrite refusal);
    }

    private RejectionIsolation() {
    }

    public static Uni<Void> write(int from, int to, RangeWriter writer, RecordParker parker) {
        if (from >= to) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> writer.write(from, to))
                .onFailure(RejectedWrite.class).recoverWithUni(e -> {
                    RejectedWrite refusal = (RejectedWrite) e;
                    if (to - from == 1) {
                        return parker.park(from, refusal);
                    }
                    int mid = from + (to - from) / 2;
                    return write(from, mid, writer, parker).chain(() -> write(mid, to, writer, parker));
                });
    }
}
