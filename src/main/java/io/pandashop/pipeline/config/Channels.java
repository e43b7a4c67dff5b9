package io.pandashop.pipeline.config;

/**
 * The one place that names the reactive-messaging channels; Kafka topics are bound to the connector channels in
 * application.properties. The flow (README, "Channel topology"):
 * engagement-events -> enriched-changes -> to-clickhouse | to-redis | to-external;
 * backfill-rows -> enriched-reads -> the same fan-out.
 */
public final class Channels {
    /** Engagement change events from Debezium (Kafka), consumed by the shared consumer group. */
    public static final String ENGAGEMENT_EVENTS = "engagement-events";
    /** Pages of source rows a backfill read from PostgreSQL (in memory), into the same enrichment. */
    public static final String BACKFILL_ROWS = "backfill-rows";
    /**
     * Enriched pages of a backfill, from the enrichment processor to the fan-out (in memory). A channel of their
     * own, not merged into enriched-changes: a merge prefetches from each source, which let the Kafka consumer
     * run far ahead of the destinations (the drain bench ran out of heap).
     */
    public static final String ENRICHED_READS = "enriched-reads";
    /** Decoded and enriched batches, from the enrichment processor to the fan-out (in memory). */
    public static final String ENRICHED_CHANGES = "enriched-changes";
    /** One emitter channel per destination (in memory), each consumed by that destination's consumer. */
    public static final String TO_CLICKHOUSE = "to-clickhouse";
    public static final String TO_REDIS = "to-redis";
    public static final String TO_EXTERNAL = "to-external";
    /** Content changes, consumed by the shared group to keep app.content_dim current. */
    public static final String CONTENT_DIM = "content-dim";
    /** Content changes, consumed by every instance from all partitions for its in-memory cache. */
    public static final String CONTENT_CACHE = "content-cache";
    /** Records that could not be processed, with their reason. */
    public static final String DEAD_LETTER = "dead-letter";
    /** Enriched events the external system has not taken yet. */
    public static final String EXTERNAL_PARKING_OUT = "external-parking-out";
    public static final String EXTERNAL_PARKING_IN = "external-parking-in";

    private Channels() {
    }
}
