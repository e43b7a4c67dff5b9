package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.cdc.EngagementRow;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EnricherTest {

    private static final Instant TS = Instant.parse("2026-11-27T10:00:00.123Z");
    private static final UUID CONTENT = UUID.fromString("11111111-1111-4111-8111-111111111111");

    private static EngagementRow event(Integer durationMs) {
        return new EngagementRow(7, CONTENT, UUID.randomUUID(), "play", TS, durationMs, "ios", null);
    }

    private static ContentRow content(Integer length) {
        return new ContentRow(CONTENT, "slug", "Title", "podcast", length, TS);
    }

    @Test
    void roundsTiesHalfUpLikePostgresNumeric() {
        // 55.445 exactly: double arithmetic gives 55.44499..., PostgreSQL's round(numeric) gives 55.45.
        assertEquals(new BigDecimal("55.45"), EngagementMath.engagementPercent(665_340, 1200));
        assertEquals(new BigDecimal("2.50"), EngagementMath.engagementPercent(30_000, 1200));
        assertEquals(new BigDecimal("33.33"), EngagementMath.engagementPercent(1_000, 3));
        assertEquals(new BigDecimal("66.67"), EngagementMath.engagementPercent(2_000, 3));
        assertEquals(new BigDecimal("0.01"), EngagementMath.engagementPercent(5, 100));
        assertEquals(new BigDecimal("0.00"), EngagementMath.engagementPercent(4, 100));
    }

    @Test
    void percentIsNullWhenLengthIsNullOrZeroOrDurationIsNull() {
        assertNull(EngagementMath.engagementPercent(1000, null));
        assertNull(EngagementMath.engagementPercent(1000, 0));
        assertNull(EngagementMath.engagementPercent(null, 100));
        assertNull(EngagementMath.engagementSeconds(null));
        assertEquals(1.5, EngagementMath.engagementSeconds(1500));
    }

    @Test
    void leftJoinKeepsEventsWithoutContent() {
        EnrichedEvent e = Enricher.enrich(event(30_000), null);
        assertEquals(7, e.eventId());
        assertEquals(30.0, e.engagementSeconds());
        assertNull(e.engagementPercent());
        assertNull(e.contentSlug());
        assertNull(e.contentType());
        assertNull(e.lengthSeconds());

        EnrichedEvent joined = Enricher.enrich(event(30_000), content(1200));
        assertEquals(new BigDecimal("2.50"), joined.engagementPercent());
        assertEquals("Title", joined.contentTitle());
        assertEquals(1200, joined.lengthSeconds());
    }
}
