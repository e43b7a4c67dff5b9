package io.pandashop.pipeline.api;

import io.pandashop.pipeline.backfill.BackfillRequest;
import io.pandashop.pipeline.content.ContentTypes;
import io.pandashop.pipeline.backfill.BackfillStatus;
import io.pandashop.pipeline.backfill.BackfillStore;
import io.pandashop.pipeline.backfill.Backfills;
import io.pandashop.pipeline.cdc.MalformedChangeException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The specification's "reprocess historical data": reads a range of engagement events again from PostgreSQL into
 * the same enrichment and destinations as live changes. Idempotent: running it again, or over what the live
 * stream delivered, changes nothing. Requires the admin bearer token (AdminTokenFilter). Any replica answers for
 * any backfill: their state is in Redis (Backfills); while Redis is unavailable these answer 503.
 */
@Path("/admin/backfill")
@Produces(MediaType.APPLICATION_JSON)
@SecurityScheme(securitySchemeName = "admin-token", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "PIPELINE_ADMIN_TOKEN")
@SecurityRequirement(name = "admin-token")
@APIResponse(responseCode = "401", description = "No bearer token, or not the admin token",
        content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
public class BackfillResource {

    /** The request body. */
    @RegisterForReflection
    public record Start(String from, String to, String contentType) {
    }

    private static final String STATUS_EXAMPLE = "{\"id\":\"6f1c…\",\"state\":\"RUNNING\",\"from\":\"2026-11-28T00:00:00Z\","
            + "\"to\":\"2026-11-29T00:00:00Z\",\"content_type\":null,\"rows_total\":1000000,\"rows_done\":420000,"
            + "\"rows_per_second\":41200.5,\"eta_seconds\":14,\"started_at\":\"2026-11-29T06:00:00Z\","
            + "\"finished_at\":null,\"source_lsn\":31887255,\"errors\":[]}";

    private final Backfills backfills;
    private final ContentTypes contentTypes;

    public BackfillResource(Backfills backfills, ContentTypes contentTypes) {
        this.backfills = backfills;
        this.contentTypes = contentTypes;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a backfill",
            description = "Reads engagement events with from <= event_ts < to (optionally of one content type) from "
                    + "one PostgreSQL snapshot and delivers them like live changes. One runs at a time.")
    @APIResponse(responseCode = "202", description = "Started; poll the Location",
            content = @Content(examples = @ExampleObject(name = "started", value = STATUS_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "A missing or malformed field",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "Another backfill is running (on any replica)",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    public Uni<Response> start(@Context UriInfo uri, @Parameter(example = "{\"from\":\"2026-11-28T00:00:00Z\","
            + "\"to\":\"2026-11-29T00:00:00Z\",\"content_type\":\"video\"}") Start body) {
        if (body == null) {
            throw new BadRequestException("a JSON body with 'from' and 'to' is required");
        }
        BackfillRequest request;
        try {
            request = new BackfillRequest(instant("from", body.from()), instant("to", body.to()),
                    body.contentType() == null || body.contentType().isBlank() ? null : body.contentType());
        } catch (IllegalArgumentException | MalformedChangeException e) {
            throw new BadRequestException(e.getMessage());
        }
        return contentTypes.require(request.contentType())
                .onFailure(IllegalArgumentException.class).transform(e -> new BadRequestException(e.getMessage()))
                .chain(() -> backfills.start(request))
                .onFailure(Backfills.AlreadyRunning.class)
                .transform(e -> new ClientErrorException(e.getMessage(), Response.Status.CONFLICT))
                .onFailure(BackfillStore.Unavailable.class).transform(BackfillResource::unavailable)
                .map(started -> Response.accepted(started)
                        .location(uri.getAbsolutePathBuilder().path(started.id()).build()).build());
    }

    @GET
    @Operation(summary = "Recent backfills, newest first")
    public Uni<List<BackfillStatus>> list() {
        return backfills.list().onFailure(BackfillStore.Unavailable.class).transform(BackfillResource::unavailable);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A backfill's state and progress: rows done and total, rows/s, ETA, errors")
    @APIResponse(responseCode = "200", description = "The backfill",
            content = @Content(examples = @ExampleObject(name = "running", value = STATUS_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "No such backfill",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    public Uni<BackfillStatus> get(@PathParam("id") String id) {
        return found(id, backfills.get(id));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a backfill",
            description = "Stops reading; rows already delivered stay delivered. A finished backfill is left as it is. "
                    + "Asked of a replica that does not run it, it waits up to 5 s for the one that does to stop.")
    @APIResponse(responseCode = "200", description = "The backfill after the request")
    @APIResponse(responseCode = "404", description = "No such backfill",
            content = @Content(mediaType = ProblemDetails.MEDIA_TYPE))
    public Uni<BackfillStatus> cancel(@PathParam("id") String id) {
        return found(id, backfills.cancel(id));
    }

    private static Uni<BackfillStatus> found(String id, Uni<BackfillStatus> backfill) {
        return backfill.onFailure(BackfillStore.Unavailable.class).transform(BackfillResource::unavailable)
                .onItem().ifNull().failWith(() -> new NotFoundException("no backfill " + id));
    }

    private static ServiceUnavailableException unavailable(Throwable e) {
        return new ServiceUnavailableException(e.getMessage());
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' (an ISO-8601 instant such as 2026-11-28T00:00:00Z) is required");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + field + "' is not an ISO-8601 instant: " + value);
        }
    }
}
