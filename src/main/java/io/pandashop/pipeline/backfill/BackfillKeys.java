package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.inject.Singleton;

/**
 * Names of the backfills' keys in Redis, all under the pipeline's hash tag {@code {<pipeline.redis.key-prefix>}}:
 * on Redis Cluster they share one slot, so one script may read the lease and write a backfill's hash.
 */
@Singleton
public class BackfillKeys {

    private final String tagged;

    public BackfillKeys(PipelineConfig config) {
        this.tagged = tagged(config.redis().keyPrefix());
    }

    /**
     * The prefix with a hash tag: as is when it has one (Redis hashes the text between the first '{' and the first
     * '}' after it, when that is not empty), else in braces. The same rule as the leaderboard's keys.
     */
    static String tagged(String prefix) {
        int open = prefix.indexOf('{');
        if (open >= 0 && prefix.indexOf('}', open + 1) > open + 1) {
            return prefix;
        }
        return "{" + prefix + "}";
    }

    /** A hash per backfill: its request, state and progress. */
    String backfill(String id) {
        return tagged + ":backfill:" + id;
    }

    /** A sorted set of backfill ids by start time (epoch ms): the list, and the latest. */
    String index() {
        return tagged + ":backfills";
    }

    /** The lease of the one running backfill: {@code <id>:<instance>}, with a TTL its replica renews. */
    String lease() {
        return tagged + ":backfill:lease";
    }
}
