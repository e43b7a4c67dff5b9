package io.pandashop.pipeline.backfill;

import io.pandashop.pipeline.config.PipelineConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backfills' shared state in Redis, which every replica reads: a hash per backfill (its request, state and
 * progress, written by the replica running it) and an index of ids by start time. The index keeps the newest
 * pipeline.backfill.history + 1; a hash that falls out of it expires an hour later (a client following it is not
 * cut off at once). Rates and ETAs are computed when read, from rows done and the times.
 */
@Singleton
public class BackfillStore {

    /** Redis could not be reached, or answered with an error. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(Throwable cause) {
            super("the backfills' shared state in Redis is unavailable: " + cause.getMessage(), cause, false, false);
        }
    }

    /** What {@link #update} found. */
    enum Found {
        /** Running: the fields were written. */
        RUNNING,
        /** Running, and another replica asked to cancel it: the fields were written. */
        CANCEL_REQUESTED,
        /** Ended (or no such backfill): nothing was written. */
        ENDED
    }

    static final String LEASE_EXPIRED = "the replica running it stopped: lease expired";
    private static final Duration TRIMMED_KEPT = Duration.ofHours(1);

    /** An end is written once: a field changes only while the backfill runs. */
    private static final String UPDATE = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then
              return 'ENDED'
            end
            if #ARGV > 0 then
              redis.call('HSET', KEYS[1], unpack(ARGV))
            end
            if redis.call('HEXISTS', KEYS[1], 'cancel_requested') == 1 then
              return 'CANCEL_REQUESTED'
            end
            return 'RUNNING'""";
    /**
     * A RUNNING backfill whose lease names another backfill, or none, has lost the replica that ran it: it becomes
     * FAILED here, in the same step as the check, so a renewal cannot slip in between.
     */
    private static final String READ = """
            if redis.call('HGET', KEYS[1], 'state') == 'RUNNING' then
              local holder = redis.call('GET', KEYS[2])
              if not holder or string.sub(holder, 1, #ARGV[1] + 1) ~= ARGV[1] .. ':' then
                redis.call('HSET', KEYS[1], 'state', 'FAILED', 'finished_at', ARGV[2], 'error', ARGV[3])
              end
            end
            return redis.call('HGETALL', KEYS[1])""";

    private final Redis redis;
    private final BackfillKeys keys;
    private final int kept;
    private final Clock clock = Clock.systemUTC();

    public BackfillStore(ReactiveRedisDataSource redis, BackfillKeys keys, PipelineConfig config) {
        this.redis = redis.getRedis();
        this.keys = keys;
        this.kept = config.backfill().history() + 1; // the finished ones, and one running
    }

    /** Adds a backfill, then trims the index. */
    Uni<Void> create(String id, Instant startedAt, Map<String, String> fields) {
        Request hset = Request.cmd(Command.HSET).arg(keys.backfill(id));
        fields.forEach((k, v) -> hset.arg(k).arg(v));
        Request zadd = Request.cmd(Command.ZADD).arg(keys.index()).arg(startedAt.toEpochMilli()).arg(id);
        return batch(List.of(hset, zadd))
                .chain(() -> send(redis, Request.cmd(Command.ZRANGE).arg(keys.index()).arg(0).arg(-kept - 1)))
                .chain(old -> {
                    if (old == null || old.size() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    List<Request> trim = new ArrayList<>();
                    for (int i = 0; i < old.size(); i++) {
                        String oldId = old.get(i).toString();
                        trim.add(Request.cmd(Command.ZREM).arg(keys.index()).arg(oldId));
                        trim.add(Request.cmd(Command.PEXPIRE).arg(keys.backfill(oldId)).arg(TRIMMED_KEPT.toMillis()));
                    }
                    return batch(trim).replaceWithVoid();
                });
    }

    /** Writes fields of a running backfill (progress, its end, a cancel request); nothing once it has ended. */
    Uni<Found> update(String id, Map<String, String> fields) {
        Request eval = Request.cmd(Command.EVAL).arg(UPDATE).arg(1).arg(keys.backfill(id));
        fields.forEach((k, v) -> eval.arg(k).arg(v));
        return send(redis, eval).map(r -> Found.valueOf(r.toString()));
    }

    /** A backfill as it is now; null when there is none. */
    Uni<BackfillStatus> read(String id) {
        return send(redis, read(id, clock.instant())).map(r -> status(r, clock.instant()));
    }

    /** The kept backfills, newest first. */
    Uni<List<BackfillStatus>> list() {
        return ids(-1).chain(this::readAll);
    }

    /** The newest backfill; null when none is kept. */
    Uni<BackfillStatus> latest() {
        return ids(0).chain(this::readAll).map(all -> all.isEmpty() ? null : all.get(0));
    }

    private Uni<List<String>> ids(int last) {
        return send(redis, Request.cmd(Command.ZREVRANGE).arg(keys.index()).arg(0).arg(last)).map(r -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; r != null && i < r.size(); i++) {
                ids.add(r.get(i).toString());
            }
            return ids;
        });
    }

    private Uni<List<BackfillStatus>> readAll(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Instant now = clock.instant();
        return batch(ids.stream().map(id -> read(id, now)).toList()).map(replies -> {
            List<BackfillStatus> all = new ArrayList<>();
            for (Response r : replies) {
                BackfillStatus s = status(r, now);
                if (s != null) { // its hash expired, or was removed
                    all.add(s);
                }
            }
            return all;
        });
    }

    private Request read(String id, Instant now) {
        return Request.cmd(Command.EVAL).arg(READ).arg(2).arg(keys.backfill(id)).arg(keys.lease()).arg(id)
                .arg(now.toString()).arg(LEASE_EXPIRED);
    }

    /** From the hash's fields (HGETALL: field, value, ...); null when it is empty. */
    static BackfillStatus status(Response hgetall, Instant now) {
        if (hgetall == null || hgetall.size() == 0) {
            return null;
        }
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i + 1 < hgetall.size(); i += 2) {
            h.put(hgetall.get(i).toString(), hgetall.get(i + 1).toString());
        }
        return status(h, now);
    }

    static BackfillStatus status(Map<String, String> h, Instant now) {
        BackfillState state = BackfillState.valueOf(h.get("state"));
        Instant startedAt = Instant.parse(h.get("started_at"));
        Instant finishedAt = h.containsKey("finished_at") ? Instant.parse(h.get("finished_at")) : null;
        long done = Long.parseLong(h.getOrDefault("rows_done", "0"));
        Long total = h.containsKey("rows_total") ? Long.valueOf(h.get("rows_total")) : null;
        double seconds = Duration.between(startedAt, finishedAt != null ? finishedAt : now).toMillis() / 1000.0;
        double rate = seconds <= 0 ? 0 : done / seconds;
        Long eta = null;
        if (!state.finished() && total != null && rate > 0) {
            eta = Math.round(Math.max(0, total - done) / rate);
        }
        return new BackfillStatus(h.get("id"), state, Instant.parse(h.get("from")), Instant.parse(h.get("to")),
                h.get("content_type"), total, done, Math.round(rate * 10) / 10.0, eta, startedAt, finishedAt,
                h.containsKey("source_lsn") ? Long.valueOf(h.get("source_lsn")) : null,
                h.containsKey("error") ? List.of(h.get("error")) : List.of());
    }

    private Uni<List<Response>> batch(List<Request> requests) {
        return redis.batch(requests).onFailure().transform(Unavailable::new);
    }

    static Uni<Response> send(Redis redis, Request request) {
        return redis.send(request).onFailure().transform(Unavailable::new);
    }
}
