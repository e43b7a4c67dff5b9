package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.JsonText;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** An engagement event joined with its content row (LEFT JOIN: content fields are null when it has none). */
public record EnrichedEvent(long eventId, UUID contentId, UUID userId, String eventType, Instant eventTs,
        Integer durationMs, String device, JsonText rawPayload, Double engagementSeconds, BigDecimal engagementPercent,
        String contentSlug, String contentTitle, String contentType, Integer lengthSeconds, Instant publishTs) {
}
