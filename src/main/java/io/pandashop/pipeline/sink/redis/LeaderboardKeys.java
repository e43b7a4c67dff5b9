package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The leaderboard's time buckets: scores are kept per content id in one sorted set per bucket of event
 * time, and the window is the union of its newest buckets.
 */
@Singleton // called per record: no client proxy in the way
public class LeaderboardKeys {

    private final String prefix;
    private final long bucketSeconds;
    private final long windowSeconds;

    public LeaderboardKeys(PipelineConfig config) {
        this.prefix = config.redis().keyPrefix();
        this.bucketSeconds = Math.max(1, config.redis().bucket().toSeconds());
        this.windowSeconds = config.redis().window().toSeconds();
        if (windowSeconds < bucketSeconds) {
            throw new IllegalArgumentException("pipeline.redis.window must be at least one pipeline.redis.bucket");
        }
    }

    public long bucketSeconds() {
        return bucketSeconds;
    }

    public long windowSeconds() {
        return windowSeconds;
    }

    public long bucketOf(Instant eventTs) {
        return Math.floorDiv(eventTs.getEpochSecond(), bucketSeconds);
    }

    /**
     * The bucket an event counts in, or -1 when it is outside the window as of now. Events up to a few minutes
     * ahead of the clock are kept (clock skew); further ones are not counted, which bounds key lifetimes.
     */
    public long countingBucket(Instant eventTs, Instant now) {
        long bucket = bucketOf(eventTs);
        long current = bucketOf(now);
        long oldest = current - (windowSeconds / bucketSeconds) + 1;
        long newest = bucketOf(now.plusSeconds(300));
        return bucket >= oldest && bucket <= newest ? bucket : -1;
    }

    /** Sorted-set keys that make up the last {@code windowSeconds} (whole buckets, the current one included). */
    public List<String> window(Instant now, long windowSeconds) {
        long current = bucketOf(now);
        long count = Math.max(1, Math.min(windowSeconds, this.windowSeconds) / bucketSeconds);
        long newest = bucketOf(now.plusSeconds(300));
        List<String> keys = new ArrayList<>();
        for (long b = current - count + 1; b <= newest; b++) {
            keys.add(leaderboard(b));
        }
        return keys;
    }

    /**
     * The hash that holds, under the event's id, its last applied source position and what it contributed. One hash
     * holds {@value #EVENTS_PER_STATE_HASH} consecutive ids, so a batch reads and writes its states in a few calls.
     */
    public String eventStates(long eventId) {
        return prefix + ":evs:" + stateHash(eventId);
    }

    /** Which state hash holds the event: equal for consecutive ids, so a caller builds each key once. */
    public long stateHash(long eventId) {
        return Math.floorDiv(eventId, EVENTS_PER_STATE_HASH);
    }

    public static final int EVENTS_PER_STATE_HASH = 1024;

    public String leaderboard(long bucket) {
        return prefix + ":lb:" + bucket;
    }

    public String stream(String contentType) {
        return prefix + ":stream:" + streamName(contentType);
    }

    private static String streamName(String contentType) {
        return contentType == null ? "none" : contentType;
    }
}
