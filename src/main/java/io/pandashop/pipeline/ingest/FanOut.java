package io.pandashop.pipeline.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.sink.FactSink;
import io.pandashop.pipeline.sink.OutgoingBatch;
import io.pandashop.pipeline.sink.clickhouse.ClickHouseFactSink;
import io.pandashop.pipeline.sink.external.ExternalSink;
import io.pandashop.pipeline.sink.redis.RedisLeaderboardSink;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Writes a batch to every destination at once; completes when all of them have durably taken it. */
@ApplicationScoped
public class FanOut {

    private record Destination(FactSink sink, Timer timer, Counter written) {
    }

    private final List<Destination> destinations = new ArrayList<>();

    public FanOut(ClickHouseFactSink clickHouse, RedisLeaderboardSink redis, ExternalSink external,
            MeterRegistry registry) {
        for (FactSink sink : List.of(clickHouse, redis, external)) {
            destinations.add(new Destination(sink,
                    Timer.builder("pipeline.sink.write").tag("destination", sink.name()).register(registry),
                    registry.counter("pipeline.sink.changes", "destination", sink.name())));
        }
    }

    public Uni<Void> write(List<FactChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        OutgoingBatch batch = OutgoingBatch.of(changes);
        List<Uni<Void>> writes = new ArrayList<>(destinations.size());
        for (Destination d : destinations) {
            writes.add(Uni.createFrom().deferred(() -> {
                long start = System.nanoTime();
                return d.sink().write(batch).invoke(() -> {
                    d.timer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    d.written().increment(changes.size());
                });
            }));
        }
        return Uni.join().all(writes).andFailFast().replaceWithVoid();
    }
}
