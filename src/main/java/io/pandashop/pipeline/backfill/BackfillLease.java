package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.config.PipelineConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * At most one backfill runs across all replicas: the one the lease key names, as {@code <id>:<instance>}. The
 * replica running it renews the TTL (pipeline.backfill.lease) every third of it; if that replica dies, the key
 * expires at most one TTL after its last renewal.
 */
@Singleton
public class BackfillLease {

    /** Renews only a lease the caller still holds: another replica may own the key once it expired. */
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private final Redis redis;
    private final String key;
    private final Duration ttl;

    public BackfillLease(ReactiveRedisDataSource redis, BackfillKeys keys, PipelineConfig config) {
        this.redis = redis.getRedis();
        this.key = keys.lease();
        this.ttl = config.backfill().lease();
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("pipeline.backfill.lease must be at least PT1S");
        }
    }

    Duration ttl() {
        return ttl;
    }

    /** The lease's value for a backfill run by this replica. */
    static String holder(String id, String instance) {
        return id + ":" + instance;
    }

    /** The backfill id in a lease's value. */
    static String idOf(String holder) {
        int colon = holder.indexOf(':');
        return colon < 0 ? holder : holder.substring(0, colon);
    }

    /** @return true when taken; false when another backfill holds it */
    Uni<Boolean> acquire(String holder) {
        return BackfillStore.send(redis, Request.cmd(Command.SET).arg(key).arg(holder).arg("NX").arg("PX")
                .arg(ttl.toMillis())).map(r -> r != null);
    }

    /** Who holds it now; null when nobody does. */
    Uni<String> holder() {
        return BackfillStore.send(redis, Request.cmd(Command.GET).arg(key)).map(r -> r == null ? null : r.toString());
    }

    /** @return false when the caller no longer holds it (it expired, and maybe another backfill took it) */
    Uni<Boolean> renew(String holder) {
        return script(RENEW, holder, ttl.toMillis()).map(r -> r != null && r.toLong() == 1);
    }

    Uni<Void> release(String holder) {
        return script(RELEASE, holder, 0).replaceWithVoid();
    }

    private Uni<Response> script(String script, String holder, long millis) {
        return BackfillStore.send(redis, Request.cmd(Command.EVAL).arg(script).arg(1).arg(key).arg(holder)
                .arg(millis));
    }
}
