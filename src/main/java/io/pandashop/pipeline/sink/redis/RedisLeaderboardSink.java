package io.pandashop.pipeline.sink.redis;

import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
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
import java.util.List;

/**
 * Applies engagement changes to Redis in one Lua call per batch: the leaderboard buckets (scores in hundredths of
 * a percent, so sums and retractions are exact) and one stream per content type. The script checks each event's
 * last applied source position in the same atomic step, so replays change nothing. The destination's channel is
 * {@value Channels#TO_REDIS}.
 */
@Singleton // no client proxy: its superclass holds the channel
public class RedisLeaderboardSink extends ChannelDestination {

    static final String SCRIPT = load("redis/apply-changes.lua");

    private final Redis redis;
    private final LeaderboardKeys keys;
    private final PipelineConfig.Redis config;
    private final Clock clock;

    public RedisLeaderboardSink(ReactiveRedisDataSource redis, LeaderboardKeys keys, PipelineConfig config,
            @Channel(Channels.TO_REDIS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<EnrichedBatch> channel,
            @Channel(Channels.TO_REDIS) Multi<Message<EnrichedBatch>> consumer) {
        super("redis", channel, consumer);
        this.redis = redis.getRedis();
        this.keys = keys;
        this.config = config.redis();
        this.clock = Clock.systemUTC();
    }


    /** One EVAL per batch; a failure (connection closed, LOADING while Redis replays its AOF) is retried. */
    @Override
    public Uni<Void> write(EnrichedBatch batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> redis.send(request(batch, clock.instant()))).replaceWithVoid();
    }

    Request request(EnrichedBatch batch, Instant now) {
        Request eval = Request.cmd(Command.EVAL)
                .arg(SCRIPT)
                .arg(0)
                .arg(keys.bucketSeconds())
                .arg(keys.windowSeconds())
                .arg(Math.max(config.dedupHorizon().toSeconds(), keys.windowSeconds() * 2))
                .arg(config.streamMaxLength());
        List<FactChange> changes = batch.changes();
        for (int i = 0; i < changes.size(); i++) {
            FactChange c = changes.get(i);
            EnrichedEvent shown = c.deleted() ? c.previous() : c.current();
            // -1: outside the window (history). A change inside it without a contribution has score 0.
            long bucket = keys.countingBucket(shown.eventTs(), now);
            long score = 0;
            if (!c.deleted() && shown.contentId() != null && shown.engagementPercent() != null) {
                score = hundredths(shown.engagementPercent());
            }
            eval.arg(keys.eventState(c.eventId()))
                    .arg(c.lsn())
                    .arg(c.op().code())
                    .arg(bucket)
                    .arg(bucket < 0 ? "" : keys.leaderboard(bucket))
                    .arg(shown.contentId() == null ? "" : shown.contentId().toString())
                    .arg(score)
                    .arg(keys.stream(shown.contentType()))
                    .arg(batch.envelopes().get(i));
        }
        return eval;
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
