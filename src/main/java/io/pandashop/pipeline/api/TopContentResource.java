package io.pandashop.pipeline.api;

import io.pandashop.pipeline.cdc.ContentRow;
import io.pandashop.pipeline.content.ContentLookup;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The most engaged content of the last minutes, by event time, from the Redis leaderboard buckets. */
@Path("/api/top-content")
public class TopContentResource {

    /** One leaderboard entry: score is the sum of engagement_percent in the window. */
    @RegisterForReflection
    public record Entry(String contentId, String slug, String title, String contentType, BigDecimal score) {
    }

    private final ReactiveRedisDataSource redis;
    private final LeaderboardKeys keys;
    private final ContentLookup contentLookup;

    public TopContentResource(ReactiveRedisDataSource redis, LeaderboardKeys keys, ContentLookup contentLookup) {
        this.redis = redis;
        this.keys = keys;
        this.contentLookup = contentLookup;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Most engaged content of the last minutes",
            description = "Sum of engagement_percent per content over the window, by event time, from the Redis "
                    + "leaderboard buckets (10 s each), highest first.")
    @APIResponse(responseCode = "200", description = "The top entries",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "top 1",
                    value = "[{\"content_id\":\"5b1e...\",\"slug\":\"ep-12\",\"title\":\"Episode 12\","
                            + "\"content_type\":\"podcast\",\"score\":1672.81}]")))
    @APIResponse(responseCode = "400", description = "limit or window out of range",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    public Uni<List<Entry>> top(
            @Parameter(description = "How many entries, 1 to 1000", example = "10")
            @QueryParam("limit") @DefaultValue("10") int limit,
            @Parameter(description = "Minutes (5) or an ISO-8601 duration (PT5M), at most 10 minutes",
                    example = "PT10M")
            @QueryParam("window") @DefaultValue("PT10M") String window) {
        if (limit < 1 || limit > 1000) {
            throw new BadRequestException("limit must be between 1 and 1000");
        }
        Duration span = parseWindow(window);
        List<String> bucketKeys = keys.window(Instant.now(), span.toSeconds());
        List<String> args = new ArrayList<>(bucketKeys.size() + 2);
        args.add(Integer.toString(bucketKeys.size()));
        args.addAll(bucketKeys);
        args.add("WITHSCORES");
        return redis.execute("ZUNION", args.toArray(new String[0]))
                .map(TopContentResource::scores)
                .map(all -> all.stream()
                        .sorted(Comparator.comparingLong(Score::hundredths).reversed()
                                .thenComparing(Score::contentId))
                        .limit(limit).toList())
                .flatMap(top -> contentLookup.resolve(new LinkedHashSet<>(top.stream()
                                .map(s -> UUID.fromString(s.contentId())).toList()))
                        .map(contents -> entries(top, contents)));
    }

    private Duration parseWindow(String window) {
        Duration span;
        try {
            span = window.matches("\\d+") ? Duration.ofMinutes(Long.parseLong(window)) : Duration.parse(window);
        } catch (RuntimeException e) {
            throw new BadRequestException("window must be minutes (e.g. 5) or an ISO-8601 duration (e.g. PT5M)");
        }
        if (span.isNegative() || span.isZero() || span.toSeconds() > keys.windowSeconds()) {
            throw new BadRequestException("window must be positive and at most " + keys.windowSeconds() + " s");
        }
        if (span.toSeconds() < keys.bucketSeconds()) {
            span = Duration.ofSeconds(keys.bucketSeconds());
        }
        return span;
    }

    private record Score(String contentId, long hundredths) {
    }

    private static List<Score> scores(Response response) {
        List<Score> scores = new ArrayList<>();
        if (response == null) {
            return scores;
        }
        // RESP2 gives a flat [member, score, ...] list; RESP3 gives [[member, score], ...].
        if (response.size() > 0 && response.get(0).type() == ResponseType.MULTI) {
            for (Response pair : response) {
                scores.add(new Score(pair.get(0).toString(), Math.round(pair.get(1).toDouble())));
            }
        } else {
            for (int i = 0; i + 1 < response.size(); i += 2) {
                scores.add(new Score(response.get(i).toString(), Math.round(response.get(i + 1).toDouble())));
            }
        }
        scores.removeIf(s -> s.hundredths() == 0);
        return scores;
    }

    private static List<Entry> entries(List<Score> top, Map<UUID, ContentRow> contents) {
        List<Entry> entries = new ArrayList<>(top.size());
        for (Score s : top) {
            ContentRow c = contents.get(UUID.fromString(s.contentId()));
            entries.add(new Entry(s.contentId(), c == null ? null : c.slug(), c == null ? null : c.title(),
                    c == null ? null : c.contentType(), BigDecimal.valueOf(s.hundredths(), 2)));
        }
        return entries;
    }
}
