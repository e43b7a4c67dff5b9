package io.pandashop.pipeline.enrich;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The seed's derived fields, computed exactly as PostgreSQL's numeric arithmetic does. */
public final class EngagementMath {

    private EngagementMath() {
    }

    /** duration_ms / 1000.0, null when the duration is null. */
    public static Double engagementSeconds(Integer durationMs) {
        return durationMs == null ? null : durationMs / 1000.0;
    }

    /**
     * round(duration_ms / 1000.0 / length_seconds * 100, 2), half up, null when either is null or the length is 0.
     * Computed as the exact fraction duration_ms / (10 * length_seconds), so ties such as 55.445 round up as
     * PostgreSQL's round(numeric) does, where double arithmetic would land just below them.
     */
    public static BigDecimal engagementPercent(Integer durationMs, Integer lengthSeconds) {
        if (durationMs == null || lengthSeconds == null || lengthSeconds == 0) {
            return null;
        }
        return BigDecimal.valueOf(durationMs.longValue())
                .divide(BigDecimal.valueOf(10L * lengthSeconds), 2, RoundingMode.HALF_UP);
    }
}
