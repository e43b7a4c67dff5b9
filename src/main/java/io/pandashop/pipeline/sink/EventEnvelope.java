package io.pandashop.pipeline.sink;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.pandashop.pipeline.enrich.EnrichedEvent;
import io.pandashop.pipeline.enrich.FactChange;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How an engagement change is shown outside the service (Redis streams, the external system, the parking
 * topic): its idempotency key, the operation, the source position and the enriched event (as it was before
 * the change, for deletes).
 */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EventEnvelope(String idempotencyKey, String op, long eventId, long lsn, long sourceTsMs,
        boolean deleted, EnrichedEvent event) {

    public static EventEnvelope of(FactChange change) {
        return new EventEnvelope(change.idempotencyKey(), change.op().code(), change.eventId(), change.lsn(),
                change.sourceTsMs(), change.deleted(), change.deleted() ? change.previous() : change.current());
    }
}
