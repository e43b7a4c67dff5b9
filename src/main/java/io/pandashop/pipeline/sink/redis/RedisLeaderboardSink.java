package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.cdc.Uuids;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies engagement changes to Redis in Lua calls of up to pipeline.redis.changes-per-call changes: the
 * leaderboard buckets (scores in hundredths of a percent, so sums and retractions are exact) and one stream per
 * content type (its entries: {@link StreamEntries}). The script checks each event's
 * last applied source position in the same atomic step, so replays change nothing. The destination's channel is
 * {@value Channels#TO_REDIS}.
 */
@Singleton // no client proxy: its superclass holds the channel
public class RedisLeaderboardSink extends ChannelDestination {

    static final String SCRIPT = load("redis/apply-changes.lua");
    private static final byte[] NO_CONTENT = new byte[0];

    private final Redis redis;
    private final LeaderboardKeys keys;
    private final PipelineConfig.Redis config;
    private final Clock clock;
    private final StageThreads threads;

    public RedisLeaderboardSink(ReactiveRedisDataSource redis, LeaderboardKeys keys, StageThreads threads,
            PipelineConfig config,
            @Channel(Channels.TO_REDIS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<EnrichedBatch> channel,
            @Channel(Channels.TO_REDIS) Multi<Message<EnrichedBatch>> consumer) {
        super("redis", channel, consumer);
        this.redis = redis.getRedis();
        this.keys = keys;
        this.config = config.redis();
        this.clock = Clock.systemUTC();
        this.threads = threads;
    }


    /**
     * One EVAL per pipeline.redis.changes-per-call changes, one after another, each built just before it is sent (so
     * one call's buffers are alive at a time, and a change never overtakes an earlier one of the same event). A failure
     * (connection closed, LOADING while Redis replays its AOF) retries the whole write; the calls that had already
     * applied change nothing again. A script error on the data is a refusal ({@link RedisFailures}): the write is
     * split until the refused change is isolated. The script reads every state before it writes any, so a call
     * that fails on a state key has changed nothing.
     */
    @Override
    public Uni<Void> write(EnrichedBatch batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int perCall = Math.max(1, config.changesPerCall());
        return Uni.createFrom().deferred(() -> {
            Instant now = clock.instant(); // per attempt: a retry after an outage counts against the window as of then
            return Multi.createFrom().range(0, (batch.size() + perCall - 1) / perCall)
                    // Built on the worker pool: calls 2..n would otherwise be built on the event loop that
                    // completed the previous call (RequestThreadTest).
                    .onItem().transformToUniAndConcatenate(call -> Uni.createFrom()
                            .item(() -> request(batch, call * perCall, Math.min(batch.size(), (call + 1) * perCall),
                                    now))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                            .flatMap(redis::send))
                    .collect().last().replaceWithVoid();
        }).onFailure().transform(RedisFailures::classify);
    }

    /**
     * One call of the script (its header, apply-changes.lua, describes the layout). It declares every key it touches
     * as KEYS, so it runs on Redis Cluster: the buckets that count as of now (a state names the bucket its change
     * counted in, and a retraction needs that key declared too), then each state hash and stream of the changes
     * once. The changes name their keys by index.
     */
    Request request(EnrichedBatch batch, int from, int to, Instant now) {
        threads.running(StageThreads.Stage.REDIS_REQUEST);
        List<FactChange> changes = batch.changes();
        long oldest = keys.oldestBucket(now);
        int buckets = Math.toIntExact(keys.newestBucket(now) - oldest + 1);
        // Consecutive events share their state hash, and a batch has a few types: each key found and built once,
        // numbered after the buckets in order of first use.
        List<String> named = new ArrayList<>();
        Map<Long, Integer> stateHashes = new HashMap<>();
        Map<String, Integer> streams = new HashMap<>(); // HashMap: null (no content) is a key
        long statesOf = Long.MIN_VALUE;
        for (int i = from; i < to; i++) {
            FactChange c = changes.get(i);
            long hash = keys.stateHash(c.eventId());
            if (hash != statesOf) {
                statesOf = hash;
                stateHashes.computeIfAbsent(hash, h -> declare(named, buckets, keys.eventStates(c.eventId())));
            }
            streams.computeIfAbsent(shown(c).contentType(), type -> declare(named, buckets, keys.stream(type)));
        }
        Request eval = Request.cmd(Command.EVAL)
                .arg(SCRIPT)
                .arg(buckets + named.size());
        for (long b = oldest; b < oldest + buckets; b++) {
            eval.arg(keys.leaderboard(b));
        }
        for (String key : named) {
            eval.arg(key);
        }
        eval.arg(keys.bucketSeconds())
                .arg(keys.windowSeconds())
                .arg(Math.max(config.dedupHorizon().toSeconds(), keys.windowSeconds() * 2))
                .arg(config.streamMaxLength())
                .arg(oldest)
                .arg(buckets);
        List<byte[]> entries = StreamEntries.of(changes, from, to);
        statesOf = Long.MIN_VALUE;
        int states = 0;
        for (int i = from; i < to; i++) {
            FactChange c = changes.get(i);
            EnrichedEvent shown = shown(c);
            // -1: outside the window (history). A change inside it without a contribution has score 0.
            long bucket = keys.countingBucket(shown.eventTs(), now);
            long score = 0;
            if (!c.deleted() && shown.contentId() != null && shown.engagementPercent() != null) {
                score = hundredths(shown.engagementPercent());
            }
            long hash = keys.stateHash(c.eventId());
            if (hash != statesOf) {
                statesOf = hash;
                states = stateHashes.get(hash);
            }
            eval.arg(states)
                    .arg(c.eventId())
                    .arg(c.lsn())
                    .arg(c.op().code())
                    .arg(bucket)
                    .arg(shown.contentId() == null ? NO_CONTENT : Uuids.asciiBytes(shown.contentId()))
                    .arg(score)
                    .arg(streams.get(shown.contentType()))
                    .arg(entries.get(i - from));
        }
        return eval;
    }

    /** Adds a key after the buckets; its index among KEYS (1-based). */
    private static int declare(List<String> named, int buckets, String key) {
        named.add(key);
        return buckets + named.size();
    }

    private static EnrichedEvent shown(FactChange c) {
        return c.deleted() ? c.previous() : c.current();
    }

    private static long hundredths(BigDecimal percent) {
        return percent.movePointRight(2).longValueExact();
    }

    private static String load(String resource) {
        try (InputStream in = RedisLeaderboardSink.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
