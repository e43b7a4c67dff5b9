package io.pandashop.pipeline.cdc;

/**
 * One decoded change of a source row.
 *
 * @param op     what happened
 * @param before the row before the change (null for inserts and snapshot reads)
 * @param after  the row after the change (null for deletes)
 * @param lsn    source position: the WAL position of this change; replays carry the same value
 * @param tsMs   commit time in the source database, epoch milliseconds
 */
public record Change<R>(Op op, R before, R after, long lsn, long tsMs) {

    public boolean isDelete() {
        return op == Op.DELETE;
    }

    /** The row as it is now, or as it was before its deletion. */
    public R latest() {
        return after != null ? after : before;
    }
}
