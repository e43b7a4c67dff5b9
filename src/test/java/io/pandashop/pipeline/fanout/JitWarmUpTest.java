package io.pandashop.pipeline.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.cdc.DebeziumDecoder;
import io.pandashop.pipeline.cdc.Op;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.FactChange;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up's synthetic changes must decode and enrich like real ones, and reach every destination's rehearsal. */
class JitWarmUpTest {

    @Test
    void everyDestinationRehearsesDecodedEnrichedChanges() {
        Rehearsal destination = new Rehearsal();
        new JitWarmUp(new DebeziumDecoder(new ObjectMapper()), List.of(destination), 4000).run();

        assertEquals(2, destination.batches.size(), "4,000 changes in batches of 2,000");
        List<FactChange> changes = destination.batches.get(0).changes();
        assertEquals(2000, changes.size());
        assertTrue(changes.stream().allMatch(c -> c.current().contentType() != null), "every change found its content");
        assertEquals(200, changes.stream().filter(c -> c.op() == Op.UPDATE && c.previous() != null).count());
        assertTrue(changes.stream().anyMatch(c -> c.current().engagementPercent() != null));
        assertEquals(2000, destination.batches.get(1).envelopes().size(), "envelopes were written");
    }

    private static final class Rehearsal implements Destination {
        final List<EnrichedBatch> batches = new ArrayList<>();

        @Override
        public void rehearse(EnrichedBatch batch) {
            batches.add(batch);
        }

        @Override
        public String name() {
            return "rehearsal";
        }

        @Override
        public MutinyEmitter<EnrichedBatch> channel() {
            throw new UnsupportedOperationException("the warm-up sends nothing");
        }

        @Override
        public Multi<Message<EnrichedBatch>> consumer() {
            throw new UnsupportedOperationException("the warm-up sends nothing");
        }

        @Override
        public Uni<Void> write(EnrichedBatch batch) {
            throw new UnsupportedOperationException("the warm-up sends nothing");
        }
    }
}
