package io.pandashop.pipeline.config;

/** The one place that names the reactive-messaging channels; topics are bound to them in application.properties. */
public final class Channels {
    /** Engagement change events, consumed by the shared consumer group. */
    public static final String ENGAGEMENT_EVENTS = "engagement-events";
    /** Content changes, consumed by the shared group to keep app.content_dim current. */
    public static final String CONTENT_DIM = "content-dim";
    /** Content changes, consumed by every instance from all partitions for its in-memory cache. */
    public static final String CONTENT_CACHE = "content-cache";
    /** Records that could not be decoded, with their reason. */
    public static final String DEAD_LETTER = "dead-letter";
    /** Enriched events the external system has not taken yet. */
    public static final String EXTERNAL_PARKING_OUT = "external-parking-out";
    public static final String EXTERNAL_PARKING_IN = "external-parking-in";

    private Channels() {
    }
}
