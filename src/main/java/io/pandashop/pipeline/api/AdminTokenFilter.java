package io.pandashop.pipeline.api;

import io.pandashop.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards /admin/*: the request must carry "Authorization: Bearer" and the configured pipeline.admin.token
 * (PIPELINE_ADMIN_TOKEN). Without a configured token every admin request is refused. The token is compared in
 * constant time and never logged.
 */
@ApplicationScoped
public class AdminTokenFilter {

    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> token;

    public AdminTokenFilter(PipelineConfig config) {
        this.token = config.admin().token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter
    public Optional<Response> requireToken(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/admin") && !path.startsWith("/admin/")) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return Optional.of(unauthorized(request, "the admin endpoints are disabled: no PIPELINE_ADMIN_TOKEN is set"));
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith(BEARER)) {
            return Optional.of(unauthorized(request, "a bearer token is required (Authorization: Bearer <token>)"));
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.get())) {
            return Optional.of(unauthorized(request, "the bearer token is not the admin token"));
        }
        return Optional.empty();
    }

    private static Response unauthorized(ContainerRequestContext request, String detail) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"pipeline-admin\"")
                .type(ProblemDetails.MEDIA_TYPE)
                .entity(new ProblemDetails.Problem("about:blank", "Unauthorized", 401, detail,
                        request.getUriInfo().getPath()))
                .build();
    }
}
