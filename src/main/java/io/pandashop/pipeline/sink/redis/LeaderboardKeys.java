package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The leaderboard's time buckets: scores are kept per content id in one sorted set per bucket of event
 * time, and the window is the union of its newest buckets.
 * <p>
 * The one place that spells key names. Every key of a pipeline starts with its prefix in braces,
 * {@code {<pipeline.redis.key-prefix>}:}, a Redis Cluster hash tag: all of them hash to one slot, so one script call
 * may touch any of them on a cluster. A prefix that already holds a hash tag ({@code {...}}, not empty) is used as is.
 */
@Singleton // called per record: no client proxy in the way
public class LeaderboardKeys {

    private final String prefix;
    private final long bucketSeconds;
    private final long windowSeconds;

    public LeaderboardKeys(PipelineConfig config) {
        this.prefix = tagged(config.redis().keyPrefix());
        this.bucketSeconds = Math.max(1, config.redis().bucket().toSeconds());
        this.windowSeconds = config.redis().window().toSeconds();
        if (windowSeconds < bucketSeconds) {
            throw new IllegalArgumentException("pipeline.redis.window must be at least one pipeline.redis.bucket");
        }
    }

    /**
     * The prefix with a hash tag: as is when it has one (Redis hashes the text between the first '{' and the first
     * '}' after it, when that is not empty), else in braces.
     */
    static String tagged(String prefix) {
        int open = prefix.indexOf('{');
        if (open >= 0) {
            int close = prefix.indexOf('}', open + 1);
            if (close > open + 1) {
                return prefix;
            }
        }
        return "{" + prefix + "}";
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
        return bucket >= oldestBucket(now) && bucket <= newestBucket(now) ? bucket : -1;
    }

    /** The oldest bucket that counts as of now: the window is whole buckets, the current one included. */
    public long oldestBucket(Instant now) {
        return bucketOf(now) - (windowSeconds / bucketSeconds) + 1;
    }

    /** The newest bucket that counts as of now: a few minutes ahead of the clock (clock skew). */
    public long newestBucket(Instant now) {
        return bucketOf(now.plusSeconds(300));
    }

    /** Sorted-set keys that make up the last {@code windowSeconds} (whole buckets, the current one included). */
    public List<String> window(Instant now, long windowSeconds) {
        long current = bucketOf(now);
        long count = Math.max(1, Math.min(windowSeconds, this.windowSeconds) / bucketSeconds);
        long newest = newestBucket(now);
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
