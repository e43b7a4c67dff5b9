package io.pandashop.pipeline.ingest;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Ties a message's acknowledgement to the work done for it: acked (its offsets may be committed) only when
 * the work succeeded, nacked otherwise. Methods that take a Message acknowledge manually.
 */
public final class Acknowledgement {

    private Acknowledgement() {
    }

    public static Uni<Void> after(Message<?> message, Uni<Void> work) {
        return work.onItemOrFailure().transformToUni((ignored, failure) -> failure == null
                ? Uni.createFrom().completionStage(message.ack())
                : Uni.createFrom().completionStage(message.nack(failure)));
    }
}
