package io.pandashop.pipeline.cdc;

/**
 * One decoded change of a source row.
 *
 * @param op     what happened
 * @param before the row before the change (null for inserts and snapshot reads)
 * @param after  the row after the change (null for deletes)
 * @param lsn    source position: the WAL position of this change; replays carry the same value
 * @param tsMs   commit time in the source database, epoch milliseconds
 * @param txId   the source transaction that made the change (PostgreSQL's xid, as a row's xmin shows it); -1 when
 *               the envelope does not say
 */
public record Change<R>(Op op, R before, R after, long lsn, long tsMs, long txId) {

    public boolean isDelete() {
        return op == Op.DELETE;
    }

    /** The row as it is now, or as it was before its deletion. */
    public R latest() {
        return after != null ? after : before;
    }
}
