package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.cdc.StorableRange;

import java.time.Instant;

/**
 * What to read again: engagement events with {@code from <= event_ts < to}, optionally of one content type.
 *
 * @param contentType one content type (the source database's CHECK lists them: ContentTypes); null for every event,
 *                    with or without content
 */
public record BackfillRequest(Instant from, Instant to, String contentType) {

    /** @throws IllegalArgumentException (or MalformedChangeException, one) saying what is wrong with it */
    public BackfillRequest {
        if (from == null || to == null) {
            throw new IllegalArgumentException("'from' and 'to' (ISO-8601 instants) are required");
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        StorableRange.require("from", from);
        StorableRange.require("to", to);
    }
}
