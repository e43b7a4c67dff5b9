package io.pandashop.pipeline.api;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.annotation.Blocking;
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

import java.util.List;
import java.util.Map;

/** The seed's historical query: average engagement percent per day and content type, from ClickHouse. */
@Path("/api/engagement/daily")
public class DailyEngagementResource {

    @RegisterForReflection
    public record Day(String date, String contentType, Double avgEngagement, long events) {
    }

    static final String QUERY = """
            SELECT toString(toDate(event_ts)) AS date,
                   content_type,
                   avg(engagement_percent) AS avg_engagement,
                   toInt64(count()) AS events
            FROM app.enriched_engagements_current
            WHERE event_ts >= now() - toIntervalDay({days:UInt32})
            GROUP BY date, content_type
            ORDER BY date DESC, content_type
            """;

    private final Client client;

    public DailyEngagementResource(Client client) {
        this.client = client;
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Average engagement per day and content type",
            description = "The seed's historical query over app.enriched_engagements_current (live events only).")
    @APIResponse(responseCode = "200", description = "One entry per day and content type, newest day first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "a day",
                    value = "[{\"date\":\"2026-11-29\",\"content_type\":\"video\",\"avg_engagement\":41.27,"
                            + "\"events\":18204}]")))
    @APIResponse(responseCode = "400", description = "days out of range",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    public List<Day> daily(@Parameter(description = "How many days back, 1 to 3650", example = "30")
            @QueryParam("days") @DefaultValue("30") int days) {
        if (days < 1 || days > 3650) {
            throw new BadRequestException("days must be between 1 and 3650");
        }
        List<GenericRecord> rows = client.queryAll(QUERY, Map.of("days", days));
        return rows.stream().map(r -> new Day(r.getString("date"),
                r.getObject("content_type") == null ? null : r.getString("content_type"),
                r.getObject("avg_engagement") == null ? null : r.getDouble("avg_engagement"),
                r.getLong("events"))).toList();
    }
}
