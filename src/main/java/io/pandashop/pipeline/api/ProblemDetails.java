package io.pandashop.pipeline.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/**
 * Errors as RFC 9457 problem details (application/problem+json), never HTML or a stack trace. A client error
 * keeps its message as the detail, and so does a 503 (a dependency is unavailable); anything else is a 500 whose
 * detail says only that it was logged.
 */
@Provider
public class ProblemDetails implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(ProblemDetails.class);
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The problem document. */
    @RegisterForReflection
    public record Problem(String type, String title, int status, String detail, String instance) {
    }

    @Context
    UriInfo uri;

    @Override
    public Response toResponse(Exception e) {
        int status = e instanceof WebApplicationException w ? w.getResponse().getStatus() : 500;
        String detail;
        if (status == 503 && e instanceof WebApplicationException) {
            // A dependency is down (its own message says which): expected in an outage, no stack trace.
            LOG.warnf("request %s: %s", path(), e.getMessage());
            detail = e.getMessage();
        } else if (status >= 500) {
            LOG.errorf(e, "request %s failed", path());
            detail = "the service could not answer; the error is in its log";
        } else {
            detail = e.getMessage();
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, path())).build();
    }

    private String path() {
        return uri == null ? null : uri.getPath();
    }
}
