package io.pandashop.pipeline.backfill;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;

/**
 * A backfill as GET /admin/backfill/{id} reports it.
 *
 * @param rowsTotal     rows in the range at the backfill's snapshot; null until counted
 * @param rowsDone      rows every destination has taken
 * @param rowsPerSecond rows done over the time since the start
 * @param etaSeconds    at that rate, until the last row is done; null when unknown or finished
 * @param sourceLsn     the source position its rows carry (the snapshot's); null until taken
 */
@RegisterForReflection
public record BackfillStatus(String id, BackfillState state, Instant from, Instant to, String contentType,
        Long rowsTotal, long rowsDone, double rowsPerSecond, Long etaSeconds, Instant startedAt, Instant finishedAt,
        Long sourceLsn, List<String> errors) {
}
