package io.pandashop.pipeline.enrich;

import com.fasterxml.jackson.core.io.SerializedString;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The enriched fact's columns, in the order of ClickHouse's app.enriched_engagements (schema.sql; a test compares
 * them with the live table): the one place that names them. The ClickHouse sink writes them in this order, the
 * envelope (Redis stream entry and external body) uses the same names.
 */
public enum FactColumn {
    EVENT_ID(true, EnrichedEvent::eventId),
    CONTENT_ID(true, EnrichedEvent::contentId),
    USER_ID(false, EnrichedEvent::userId),
    EVENT_TYPE(false, EnrichedEvent::eventType),
    EVENT_TS(true, EnrichedEvent::eventTs),
    DURATION_MS(false, EnrichedEvent::durationMs),
    DEVICE(false, EnrichedEvent::device),
    ENGAGEMENT_SECONDS(false, EnrichedEvent::engagementSeconds),
    ENGAGEMENT_PERCENT(false, EnrichedEvent::engagementPercent),
    CONTENT_SLUG(false, EnrichedEvent::contentSlug),
    CONTENT_TITLE(false, EnrichedEvent::contentTitle),
    CONTENT_TYPE(false, EnrichedEvent::contentType),
    LENGTH_SECONDS(false, EnrichedEvent::lengthSeconds),
    PUBLISH_TS(false, EnrichedEvent::publishTs);

    /** The names, in order. */
    public static final List<String> NAMES = Arrays.stream(values()).map(FactColumn::columnName).toList();

    private static final FactColumn[] ALL = values();

    private final String columnName = name().toLowerCase(java.util.Locale.ROOT);
    /** The name as a JSON field, serialized once. */
    public final SerializedString json = new SerializedString(columnName);
    /** Part of the table's sorting key: a retraction row (an update that moves the key, a delete) carries it. */
    public final boolean key;
    private final Function<EnrichedEvent, Object> value;

    FactColumn(boolean key, Function<EnrichedEvent, Object> value) {
        this.key = key;
        this.value = value;
    }

    public String columnName() {
        return columnName;
    }

    /** The event's values in column order, followed by {@code extra}; a retraction keeps only the key columns. */
    public static Object[] row(EnrichedEvent e, boolean retraction, Object... extra) {
        Object[] row = new Object[ALL.length + extra.length];
        for (int i = 0; i < ALL.length; i++) {
            row[i] = retraction && !ALL[i].key ? null : ALL[i].value.apply(e);
        }
        System.arraycopy(extra, 0, row, ALL.length, extra.length);
        return row;
    }
}
