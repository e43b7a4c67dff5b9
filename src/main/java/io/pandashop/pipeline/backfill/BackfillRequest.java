package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.cdc.StorableRange;

import java.time.Instant;
import java.util.Set;

/**
 * What to read again: engagement events with {@code from <= event_ts < to}, optionally of one content type.
 *
 * @param contentType podcast, newsletter or video; null for every event, with or without content
 */
public record BackfillRequest(Instant from, Instant to, String contentType) {

    private static final Set<String> CONTENT_TYPES = Set.of("podcast", "newsletter", "video");

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
        if (contentType != null && !CONTENT_TYPES.contains(contentType)) {
            throw new IllegalArgumentException("'content_type' must be one of " + CONTENT_TYPES.stream().sorted()
                    .toList());
        }
    }
}
