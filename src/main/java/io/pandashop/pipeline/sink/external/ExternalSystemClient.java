package io.pandashop.pipeline.sink.external;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The external system's ingestion endpoint (quarkus.rest-client.external.url). Any non-2xx answer fails. */
@RegisterRestClient(configKey = "external")
@RegisterProvider(ExternalAuthFilter.class)
@RegisterProvider(ExternalResponseMapper.class)
public interface ExternalSystemClient {

    /**
     * @param contentLength the body's length: a streamed body is sent with it, not chunked, as with a byte[]
     * @param jsonArray     a JSON array of change envelopes, already serialised, as buffers over its bytes (a
     *                      streamed body is written as it is; the content type is not set from {@code @Consumes})
     */
    @POST
    Uni<Void> post(@HeaderParam("Idempotency-Key") String idempotencyKey,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) long contentLength, Multi<Buffer> jsonArray);
}
