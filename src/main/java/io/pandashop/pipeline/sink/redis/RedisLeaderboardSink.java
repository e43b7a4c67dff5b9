package io.pandashop.pipeline.sink.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.EventEnvelope;
import io.pandashop.pipeline.sink.FactSink;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies engagement changes to Redis in one Lua call per batch: the 10-minute leaderboard buckets (scores in
 * hundredths of a percent, so sums and retractions are exact) and one stream per content type. The script checks
 * each event's last applied source position in the same atomic step, so replays change nothing.
 */
@ApplicationScoped
public class RedisLeaderboardSink implements FactSink {

    private static final Logger LOG = Logger.getLogger(RedisLeaderboardSink.class);
    static final String SCRIPT = load("redis/apply-changes.lua");

    private final ReactiveRedisDataSource redis;
    private final LeaderboardKeys keys;
    private final ObjectMapper mapper;
    private final PipelineConfig.Redis config;
    private final Clock clock;

    public RedisLeaderboardSink(ReactiveRedisDataSource redis, LeaderboardKeys keys, ObjectMapper mapper,
            PipelineConfig config) {
        this.redis = redis;
        this.keys = keys;
        this.mapper = mapper;
        this.config = config.redis();
        this.clock = Clock.systemUTC();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    @Retry(maxRetries = -1, delay = 500, jitter = 200, maxDuration = 7, durationUnit = ChronoUnit.DAYS)
    @ExponentialBackoff(maxDelay = 30_000)
    public Uni<Void> write(List<FactChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> {
            List<String> args = arguments(changes, clock.instant());
            return redis.execute("EVAL", args.toArray(new String[0]))
                    .onFailure().invoke(e -> LOG.warnf("Redis update failed, will retry: %s", e.getMessage()))
                    .replaceWithVoid();
        });
    }

    List<String> arguments(List<FactChange> changes, Instant now) {
        List<String> args = new ArrayList<>(8 + changes.size() * 8);
        args.add(SCRIPT);
        args.add("0");
        args.add(keys.prefix());
        args.add(Long.toString(keys.bucketSeconds()));
        args.add(Long.toString(keys.windowSeconds()));
        args.add(Long.toString(Math.max(config.dedupHorizon().toSeconds(), keys.windowSeconds() * 2)));
        args.add(Long.toString(config.streamMaxLength()));
        for (FactChange c : changes) {
            EnrichedEvent shown = c.deleted() ? c.previous() : c.current();
            long bucket = -1;
            long score = 0;
            if (!c.deleted() && shown.contentId() != null && shown.engagementPercent() != null) {
                bucket = keys.countingBucket(shown.eventTs(), now);
                score = hundredths(shown.engagementPercent());
            }
            args.add(Long.toString(c.eventId()));
            args.add(Long.toString(c.lsn()));
            args.add(c.op().code());
            args.add(Long.toString(bucket));
            args.add(shown.contentId() == null ? "" : shown.contentId().toString());
            args.add(Long.toString(score));
            args.add(LeaderboardKeys.streamName(shown.contentType()));
            args.add(json(EventEnvelope.of(c)));
        }
        return args;
    }

    private static long hundredths(BigDecimal percent) {
        return percent.movePointRight(2).longValueExact();
    }

    private String json(EventEnvelope envelope) {
        try {
            return mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
