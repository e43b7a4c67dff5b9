package io.pandashop.pipeline.sink.external;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

import java.time.Duration;

/** Tells a rejection (see {@link ExternalRejection}) from an outage, which is waited for. */
public class ExternalResponseMapper implements ResponseExceptionMapper<RuntimeException> {

    /** A Retry-After longer than this is not believed: backoff continues at its own pace past it. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    @Override
    public RuntimeException toThrowable(Response response) {
        int status = response.getStatus();
        if (ExternalRejection.isRejection(status)) {
            return new ExternalRejection(status, response.getStatusInfo().getReasonPhrase());
        }
        return new ExternalUnavailable(status, retryAfter(response.getHeaderString(HttpHeaders.RETRY_AFTER)));
    }

    @Override
    public boolean handles(int status, MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }

    /** Retry-After in seconds (the HTTP-date form is rare for APIs and is ignored); zero when absent. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Duration.ZERO;
        }
        try {
            Duration d = Duration.ofSeconds(Long.parseLong(header.trim()));
            return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    /** Any other non-2xx answer (5xx, 408, 429, 401, 403, 404, ...): the system cannot take events now. */
    public static class ExternalUnavailable extends RuntimeException {

        private final Duration retryAfter;

        ExternalUnavailable(int status, Duration retryAfter) {
            super("external system answered HTTP " + status
                    + (retryAfter.isZero() ? "" : " (Retry-After " + retryAfter.toSeconds() + " s)"), null, false, false);
            this.retryAfter = retryAfter;
        }

        /** How long the system asked us to wait before the next try; zero when it did not say. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
