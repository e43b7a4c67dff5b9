package io.pandashop.pipeline.sink.external;

import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/** Tells a rejection (see {@link ExternalRejection}) from a failure worth retrying. */
public class ExternalResponseMapper implements ResponseExceptionMapper<RuntimeException> {

    @Override
    public RuntimeException toThrowable(Response response) {
        int status = response.getStatus();
        if (ExternalRejection.isRejection(status)) {
            return new ExternalRejection(status, response.getStatusInfo().getReasonPhrase());
        }
        return new ExternalUnavailable(status);
    }

    @Override
    public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }

    /** Any other non-2xx answer: worth retrying. */
    public static class ExternalUnavailable extends RuntimeException {
        ExternalUnavailable(int status) {
            super("external system answered HTTP " + status, null, false, false);
        }
    }
}
