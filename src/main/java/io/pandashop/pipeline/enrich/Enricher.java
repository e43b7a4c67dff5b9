package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.EngagementRow;

/** Joins an event with its content row; pure, no I/O. */
public final class Enricher {

    private Enricher() {
    }

    /** @param content the event's content row, or null when the event has none (LEFT JOIN) */
    public static EnrichedEvent enrich(EngagementRow e, ContentRow content) {
        Integer length = content == null ? null : content.lengthSeconds();
        return new EnrichedEvent(e.id(), e.contentId(), e.userId(), e.eventType(), e.eventTs(), e.durationMs(),
                e.device(), e.rawPayload(), EngagementMath.engagementSeconds(e.durationMs()),
                EngagementMath.engagementPercent(e.durationMs(), length),
                content == null ? null : content.slug(), content == null ? null : content.title(),
                content == null ? null : content.contentType(), length,
                content == null ? null : content.publishTs());
    }
}
