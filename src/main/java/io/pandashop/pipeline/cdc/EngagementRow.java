package io.pandashop.pipeline.cdc;

import java.time.Instant;
import java.util.UUID;

/** A row of public.engagement_events; raw_payload as the JSON text it travels as ({@link JsonText}). */
public record EngagementRow(long id, UUID contentId, UUID userId, String eventType, Instant eventTs,
        Integer durationMs, String device, JsonText rawPayload) {
}
