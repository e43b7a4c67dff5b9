package io.pandashop.pipeline.api;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's historical query: average engagement percent per day and content type, from ClickHouse (the datasource,
 * whose database is pipeline.clickhouse.database).
 */
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
            FROM enriched_engagements_current
            WHERE event_ts >= now() - toIntervalDay(?)
            GROUP BY date, content_type
            ORDER BY date DESC, content_type
            """;

    private final AgroalDataSource clickHouse;

    public DailyEngagementResource(@DataSource("clickhouse") AgroalDataSource clickHouse) {
        this.clickHouse = clickHouse;
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Average engagement per day and content type",
            description = "The seed's historical query over enriched_engagements_current (live events only).")
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
        List<Day> out = new ArrayList<>();
        try (Connection c = clickHouse.getConnection(); PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setInt(1, days);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double avg = rs.getDouble("avg_engagement");
                    out.add(new Day(rs.getString("date"), rs.getString("content_type"),
                            rs.wasNull() ? null : avg, rs.getLong("events")));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ClickHouse query failed: " + e.getMessage(), e);
        }
        return out;
    }
}
