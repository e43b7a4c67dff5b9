package io.pandashop.pipeline.sink.external;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The external system's ingestion endpoint (quarkus.rest-client.external.url). Any non-2xx answer fails. */
@RegisterRestClient(configKey = "external")
@RegisterProvider(ExternalAuthFilter.class)
@RegisterProvider(ExternalResponseMapper.class)
public interface ExternalSystemClient {

    /** @param jsonArray a JSON array of change envelopes, already serialised */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Void> post(@HeaderParam("Idempotency-Key") String idempotencyKey, byte[] jsonArray);
}
