package io.pandashop.pipeline.sink;

import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.fanout.Destination;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A destination bound to its emitter channel: subclasses inject both sides of their channel (the emitter with
 * an unbounded buffer, since the fan-out's in-flight limit bounds it) and write.
 */
public abstract class ChannelDestination implements Destination {

    private final String name;
    private final MutinyEmitter<EnrichedBatch> channel;
    private final Multi<Message<EnrichedBatch>> consumer;

    protected ChannelDestination(String name, MutinyEmitter<EnrichedBatch> channel,
            Multi<Message<EnrichedBatch>> consumer) {
        this.name = name;
        this.channel = channel;
        this.consumer = consumer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MutinyEmitter<EnrichedBatch> channel() {
        return channel;
    }

    @Override
    public Multi<Message<EnrichedBatch>> consumer() {
        return consumer;
    }
}
