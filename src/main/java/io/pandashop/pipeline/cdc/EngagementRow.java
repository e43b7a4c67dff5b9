package io.pandashop.pipeline.cdc;

import java.time.Instant;
import java.util.UUID;

/** A row of public.engagement_events. */
public record EngagementRow(long id, UUID contentId, UUID userId, String eventType, Instant eventTs,
        Integer durationMs, String device, String rawPayload) {
}
